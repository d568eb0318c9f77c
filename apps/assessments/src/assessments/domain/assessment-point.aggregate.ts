import {
  ASSESSMENT_KINDS,
  ASSESSMENT_OUTCOMES,
  type AssessmentKind,
  type AssessmentOutcome,
  type AssessmentStatus,
  type IndicatorResult,
} from '#libs/contracts';
import { AggregateRoot, DomainError, InvalidTransitionError, ValidationError, nameField, type PersonRef } from '#libs/core';
import { addDays } from './day-clock.js';

export const MIN_NARRATIVE_LENGTH = 20;
/** Statuses in which a point still waits for an outcome; cancelling a program's points means these. */
export const OPEN_ASSESSMENT_STATUSES: readonly AssessmentStatus[] = ['SCHEDULED', 'DUE', 'OVERDUE'];

/** What happened to a point; each action is also the suffix of the event it records. */
export type AssessmentAction = 'scheduled' | 'due' | 'overdue' | 'rescheduled' | 'completed' | 'cancelled';

export interface AssessmentHistoryEntry {
  action: AssessmentAction;
  /** The status after the action. */
  status: AssessmentStatus;
  at: Date;
  /** The due date after the action, so a reschedule can be read back. */
  dueAt: Date;
  reason: string | null;
}

export interface SchedulePointInput {
  id: string;
  programId: string;
  /** For an ad-hoc point: now (it is due at once), never later. */
  dueAt: Date;
  kind: AssessmentKind;
  /** Required for an ad-hoc point. */
  reason?: string | null;
  /** The place of a planned point in its plan; ad-hoc and follow-up points have none. */
  sequence?: number | null;
  /** A follow-up's: the point whose outcome asked for it. */
  followUpOf?: string | null;
}

export interface OutcomeInput {
  outcome: AssessmentOutcome;
  narrative: string;
  indicatorResults: IndicatorResult[];
  requiredActions?: string[];
  /** The reviewer recording the outcome. */
  by: PersonRef;
  /** ADJUST: the id of the follow-up point the caller schedules with it. */
  followUpId?: string | null;
}

export interface AssessmentPointState {
  id: string;
  programId: string;
  sequence: number | null;
  kind: AssessmentKind;
  reason: string | null;
  /** A follow-up's: the point whose outcome asked for it (null for follow-ups scheduled before it was kept). */
  followUpOf: string | null;
  status: AssessmentStatus;
  dueAt: Date;
  overdueAt: Date;
  outcome: AssessmentOutcome | null;
  narrative: string | null;
  indicatorResults: IndicatorResult[];
  requiredActions: string[];
  completedBy: string | null;
  completedByName?: string;
  completedAt: Date | null;
  cancelledReason: string | null;
  history: AssessmentHistoryEntry[];
  version: number;
}

/** Collects every problem of a command, then throws one 400 listing them all, so a client can fix them at once. */
class FieldProblems {
  private readonly found: Array<{ field: string; message: string }> = [];

  check(ok: boolean, field: string, message: string): void {
    if (!ok) this.found.push({ field, message });
  }

  throwIfAny(what: string): void {
    if (this.found.length > 0) {
      const details = this.found.map((p) => ({ field: p.field, problems: [p.message] }));
      throw new ValidationError(`${what}: ${this.found.map((p) => `${p.field} ${p.message}`).join('; ')}`, details);
    }
  }
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const isInstant = (v: unknown): v is Date => v instanceof Date && !Number.isNaN(v.getTime());

/**
 * One assessment point of a program. Timer-driven transitions (due, overdue) and cancellations
 * are no-ops when they no longer apply, because durable timers may fire late, twice, or for a
 * date that was since moved; commands from people are refused instead.
 */
export class AssessmentPointAggregate extends AggregateRoot {
  readonly aggregateType = 'assessment';
  id: string;
  programId: string;
  sequence: number | null;
  kind: AssessmentKind;
  reason: string | null;
  followUpOf: string | null;
  status: AssessmentStatus;
  dueAt: Date;
  overdueAt: Date;
  outcome: AssessmentOutcome | null;
  narrative: string | null;
  indicatorResults: IndicatorResult[];
  requiredActions: string[];
  completedBy: string | null;
  completedByName?: string;
  completedAt: Date | null;
  cancelledReason: string | null;
  history: AssessmentHistoryEntry[];

  private constructor(state: AssessmentPointState) {
    super();
    Object.assign(this, structuredClone(state));
  }

  /**
   * Makes a point SCHEDULED at `dueAt`, OVERDUE `graceDays` after it if no outcome is recorded.
   * An ad-hoc point is triggered for now, so it is made DUE in the same command.
   */
  static schedule(input: SchedulePointInput, graceDays: number, dayMs: number, now: Date): AssessmentPointAggregate {
    const { id, programId, dueAt, kind } = input;
    const sequence = input.sequence ?? null;
    const followUpOf = input.followUpOf ?? null;
    const reason = isText(input.reason) ? input.reason.trim() : null;
    const problems = new FieldProblems();
    problems.check(ASSESSMENT_KINDS.includes(kind), 'kind', `must be one of ${ASSESSMENT_KINDS.join(', ')}`);
    if (kind === 'PLANNED') {
      const valid = Number.isInteger(sequence) && (sequence as number) >= 1;
      problems.check(valid, 'sequence', 'a planned point needs one ≥ 1');
    } else problems.check(sequence === null, 'sequence', 'only planned points have one');
    problems.check(kind !== 'AD_HOC' || reason !== null, 'reason', 'an ad-hoc point needs one');
    problems.check((kind === 'FOLLOW_UP') === isText(followUpOf), 'followUpOf', 'a follow-up, and only a follow-up, names the point it follows');
    problems.check(isInstant(dueAt), 'dueAt', 'must be a date and time');
    problems.check(kind !== 'AD_HOC' || !(dueAt > now), 'dueAt', 'an ad-hoc point is due now');
    problems.check(Number.isInteger(graceDays) && graceDays >= 0, 'graceDays', 'must be a whole number ≥ 0');
    problems.throwIfAny('cannot schedule the assessment');

    const point = new AssessmentPointAggregate({
      id,
      programId,
      sequence,
      kind,
      reason,
      followUpOf,
      status: 'SCHEDULED',
      dueAt,
      overdueAt: addDays(dueAt, graceDays, dayMs),
      outcome: null,
      narrative: null,
      indicatorResults: [],
      requiredActions: [],
      completedBy: null,
      completedAt: null,
      cancelledReason: null,
      history: [],
      version: 0,
    });
    point.touch();
    point.log('scheduled', now, reason);
    point.record('assessment.scheduled', { assessmentId: id, programId, dueAt: dueAt.toISOString(), kind, reason });
    if (kind === 'AD_HOC') point.becomeDue(now);
    return point;
  }

  static restore(state: AssessmentPointState): AssessmentPointAggregate {
    // Dates may come back from JSON columns as strings.
    return new AssessmentPointAggregate({
      ...state,
      followUpOf: state.followUpOf ?? null,
      dueAt: new Date(state.dueAt),
      overdueAt: new Date(state.overdueAt),
      completedAt: state.completedAt && new Date(state.completedAt),
      history: state.history.map((h) => ({ ...h, at: new Date(h.at), dueAt: new Date(h.dueAt) })),
    });
  }

  toState(): AssessmentPointState {
    return structuredClone({
      id: this.id,
      programId: this.programId,
      sequence: this.sequence,
      kind: this.kind,
      reason: this.reason,
      followUpOf: this.followUpOf,
      status: this.status,
      dueAt: this.dueAt,
      overdueAt: this.overdueAt,
      outcome: this.outcome,
      narrative: this.narrative,
      indicatorResults: this.indicatorResults,
      requiredActions: this.requiredActions,
      completedBy: this.completedBy,
      ...nameField('completedByName', { name: this.completedByName }),
      completedAt: this.completedAt,
      cancelledReason: this.cancelledReason,
      history: this.history,
      version: this.version,
    });
  }

  get isOpen(): boolean {
    return OPEN_ASSESSMENT_STATUSES.includes(this.status);
  }

  /**
   * The due timer fired: SCHEDULED → DUE. Returns false, changing nothing, for any other status
   * or before `dueAt` (a stale timer of a rescheduled point); the caller may re-arm the timer
   * for the remaining time if the point is still SCHEDULED.
   */
  markDue(now: Date): boolean {
    if (this.status !== 'SCHEDULED' || now < this.dueAt) return false;
    this.touch();
    this.becomeDue(now);
    return true;
  }

  /** The grace timer fired: DUE → OVERDUE. Returns false, changing nothing, otherwise or before `overdueAt`. */
  markOverdue(now: Date): boolean {
    if (this.status !== 'DUE' || now < this.overdueAt) return false;
    this.touch();
    this.status = 'OVERDUE';
    this.log('overdue', now, null);
    this.record('assessment.overdue', this.dueEventPayload());
    return true;
  }

  /** Moves a SCHEDULED point to a later date; its grace period keeps its length. */
  /**
   * Moves a SCHEDULED point. Not past the end of its program's plan (`planEndAt`), or later than it
   * already is when it lies beyond (a follow-up): a point moved past the end would never be
   * assessed while the money flows, a way around the assessment rather than a new date for it.
   */
  reschedule(dueAt: Date, reason: string, now: Date, planEndAt: Date): void {
    if (this.status !== 'SCHEDULED') throw new InvalidTransitionError('assessment', this.status, 'be rescheduled');
    const latest = planEndAt > this.dueAt ? planEndAt : this.dueAt;
    const problems = new FieldProblems();
    problems.check(isInstant(dueAt) && dueAt > now, 'dueAt', 'must be a date and time in the future');
    problems.check(!isInstant(dueAt) || dueAt <= latest, 'dueAt', `must be on or before the end of the program's plan (${latest.toISOString()})`);
    problems.check(isText(reason), 'reason', 'must not be empty');
    problems.throwIfAny('cannot reschedule the assessment');

    const previousDueAt = this.dueAt;
    this.touch();
    this.overdueAt = new Date(dueAt.getTime() + (this.overdueAt.getTime() - previousDueAt.getTime()));
    this.dueAt = dueAt;
    this.log('rescheduled', now, reason.trim());
    this.record('assessment.rescheduled', {
      assessmentId: this.id,
      programId: this.programId,
      previousDueAt: previousDueAt.toISOString(),
      dueAt: dueAt.toISOString(),
      reason: reason.trim(),
    });
  }

  /**
   * Records a reviewer's outcome of a DUE or OVERDUE point. Every refusal is thrown before any
   * state changes. Results may cover some of the program's indicators, but only its indicators,
   * and at least one: an outcome is judged against measured results (DOMAIN.md: "with indicator
   * results and a narrative").
   */
  recordOutcome(input: OutcomeInput, programIndicators: readonly string[], now: Date): void {
    if (this.status !== 'DUE' && this.status !== 'OVERDUE') {
      throw new InvalidTransitionError('assessment', this.status, 'record an outcome');
    }
    const { outcome, by } = input;
    const narrative = typeof input.narrative === 'string' ? input.narrative.trim() : '';
    const results = Array.isArray(input.indicatorResults) ? input.indicatorResults : [];
    const actions = input.requiredActions ?? [];

    const problems = new FieldProblems();
    const outcomes = ASSESSMENT_OUTCOMES.join(', ');
    problems.check(ASSESSMENT_OUTCOMES.includes(outcome), 'outcome', `must be one of ${outcomes}`);
    const tooShort = `must be at least ${MIN_NARRATIVE_LENGTH} characters`;
    problems.check(narrative.length >= MIN_NARRATIVE_LENGTH, 'narrative', tooShort);
    problems.check(Array.isArray(input.indicatorResults), 'indicatorResults', 'must be a list');
    problems.check(!Array.isArray(input.indicatorResults) || results.length > 0, 'indicatorResults', 'must report at least one indicator of the program');
    const reported = new Set<string>();
    results.forEach((r, i) => {
      const field = `indicatorResults.${i}`;
      problems.check(isText(r.indicator), `${field}.indicator`, 'must not be empty');
      problems.check(!reported.has(r.indicator), `${field}.indicator`, `"${r.indicator}" is reported twice`);
      if (isText(r.indicator)) reported.add(r.indicator);
      problems.check(Number.isFinite(r.value), `${field}.value`, 'must be a finite number');
    });
    problems.check(Array.isArray(actions), 'requiredActions', 'must be a list');
    if (Array.isArray(actions)) {
      actions.forEach((a, i) => problems.check(isText(a), `requiredActions.${i}`, 'must not be empty'));
      const needed = outcome === 'STRENGTHEN' && actions.length === 0;
      problems.check(!needed, 'requiredActions', 'STRENGTHEN needs at least one');
    }
    problems.check(isText(by.id), 'by', 'must name the reviewer');
    problems.throwIfAny('cannot record the outcome');

    const unknown = [...reported].filter((name) => !programIndicators.includes(name));
    if (unknown.length > 0) {
      const message = `not indicators of program ${this.programId}: ${unknown.join(', ')}`;
      throw new DomainError('UNKNOWN_INDICATOR', message, 400, { unknown, known: [...programIndicators] });
    }

    this.touch();
    this.status = 'COMPLETED';
    this.outcome = outcome;
    this.narrative = narrative;
    this.indicatorResults = results.map((r) => ({ indicator: r.indicator, value: r.value }));
    this.requiredActions = actions.map((a) => a.trim());
    this.completedBy = by.id;
    this.completedByName = by.name;
    this.completedAt = now;
    this.log('completed', now, null);
    this.record('assessment.completed', {
      assessmentId: this.id,
      programId: this.programId,
      outcome,
      narrative,
      indicatorResults: this.indicatorResults,
      requiredActions: this.requiredActions,
      followUpAssessmentId: input.followUpId ?? null,
    });
  }

  /** Cancels an open point. Returns false, changing nothing, if it is already COMPLETED or CANCELLED. */
  cancel(reason: string, now: Date): boolean {
    if (!isText(reason)) {
      throw new ValidationError('cannot cancel the assessment: reason must not be empty', [
        { field: 'reason', problems: ['must not be empty'] },
      ]);
    }
    if (!this.isOpen) return false;
    this.touch();
    this.status = 'CANCELLED';
    this.cancelledReason = reason.trim();
    this.log('cancelled', now, this.cancelledReason);
    this.record('assessment.cancelled', { assessmentId: this.id, programId: this.programId, reason: reason.trim() });
    return true;
  }

  /** SCHEDULED → DUE inside a command that has already bumped the version. */
  private becomeDue(now: Date): void {
    this.status = 'DUE';
    this.log('due', now, null);
    this.record('assessment.due', this.dueEventPayload());
  }

  private dueEventPayload(): { assessmentId: string; programId: string; dueAt: string } {
    return { assessmentId: this.id, programId: this.programId, dueAt: this.dueAt.toISOString() };
  }

  private log(action: AssessmentAction, at: Date, reason: string | null): void {
    this.history.push({ action, status: this.status, at, dueAt: this.dueAt, reason });
  }
}
