import {
  systemActor,
  type EventPayloads,
  type EventType,
  type ProgramSnapshot,
  type ProgramStatus,
  type ReviewOutcome,
} from '#libs/contracts';
import {
  AccessDeniedError,
  AggregateRoot,
  InvalidTransitionError,
  ValidationError,
  actedBy,
  assertExpectedVersion,
  nameField,
  type PersonRef,
} from '#libs/core';
import {
  assertValidProgram,
  normalizeProgramInput,
  PROGRAM_FIELDS,
  type ProgramFields,
  type ProgramInput,
} from './program-input.js';

interface Transition {
  from: readonly ProgramStatus[];
  /** null: the command edits the program without moving it (a revision). */
  to: ProgramStatus | null;
  event: EventType;
}

/**
 * DOMAIN.md's state diagram, the only place it lives: every command checks its from-state here,
 * moves to its to-state from here and records the event named here. The outcomes of a review
 * are three rows, reached through `completeReview`.
 */
export const PROGRAM_TRANSITIONS = {
  revise: { from: ['DRAFT', 'REVISION_REQUESTED'], to: null, event: 'program.revised' },
  submit: { from: ['DRAFT', 'REVISION_REQUESTED'], to: 'SUBMITTED', event: 'program.submitted' },
  withdraw: {
    from: ['DRAFT', 'SUBMITTED', 'UNDER_REVIEW', 'REVISION_REQUESTED'],
    to: 'WITHDRAWN',
    event: 'program.withdrawn',
  },
  markUnderReview: { from: ['SUBMITTED'], to: 'UNDER_REVIEW', event: 'program.under-review' },
  approve: { from: ['UNDER_REVIEW'], to: 'APPROVED', event: 'program.approved' },
  requestRevision: { from: ['UNDER_REVIEW'], to: 'REVISION_REQUESTED', event: 'program.revision-requested' },
  reject: { from: ['UNDER_REVIEW'], to: 'REJECTED', event: 'program.rejected' },
  suspend: { from: ['APPROVED'], to: 'SUSPENDED', event: 'program.suspended' },
  reinstate: { from: ['SUSPENDED'], to: 'APPROVED', event: 'program.reinstated' },
  close: { from: ['APPROVED'], to: 'CLOSED', event: 'program.closed' },
  discontinue: { from: ['APPROVED', 'SUSPENDED'], to: 'DISCONTINUED', event: 'program.discontinued' },
} as const satisfies Record<string, Transition>;

export type ProgramCommand = keyof typeof PROGRAM_TRANSITIONS;
export const PROGRAM_COMMANDS = Object.keys(PROGRAM_TRANSITIONS) as ProgramCommand[];
type CommandEvent<C extends ProgramCommand> = (typeof PROGRAM_TRANSITIONS)[C]['event'];

/** Which row of the table a review outcome (review.completed) runs. */
export const REVIEW_OUTCOME_COMMANDS = {
  APPROVED: 'approve',
  REVISION_REQUESTED: 'requestRevision',
  REJECTED: 'reject',
} as const satisfies Record<ReviewOutcome, ProgramCommand>;

export function programCommandAllowed(command: ProgramCommand, status: ProgramStatus): boolean {
  return (PROGRAM_TRANSITIONS[command].from as readonly ProgramStatus[]).includes(status);
}

/** Who moved the program where, when and why; `by` is a person id or a system actor id, each with the person's name when known. */
export interface StatusChange {
  status: ProgramStatus;
  at: string;
  by: string;
  byName?: string;
  reason: string | null;
  /** Whose decision elsewhere the system carried out: the reviewer who completed the review, who recorded the outcome. */
  decidedBy?: string;
  decidedByName?: string;
}

/** The plain state the persistence layer stores; dates are ISO strings. */
export interface ProgramState extends ProgramFields {
  id: string;
  createdBy: string;
  createdByName?: string;
  status: ProgramStatus;
  version: number;
  /** The review of the current round, set when it opens; null until then. */
  currentReviewId: string | null;
  /** How many times the program has been submitted: one review per round. */
  round: number;
  statusHistory: StatusChange[];
  createdAt: string;
  updatedAt: string;
}

/** Transitions caused by other services' events are taken by proposals on their behalf. */
const SYSTEM_ACTOR = systemActor('proposals');

export class ProgramAggregate extends AggregateRoot {
  readonly aggregateType = 'program';
  readonly id: string;
  private readonly createdByValue: string;
  private readonly createdByName: string | undefined;
  private readonly createdAt: string;
  private fields: ProgramFields;
  private statusValue: ProgramStatus;
  private currentReviewIdValue: string | null;
  private roundValue: number;
  private history: StatusChange[];
  private updatedAt: string;

  private constructor(state: ProgramState) {
    super();
    const copy = structuredClone(state);
    this.id = copy.id;
    this.createdByValue = copy.createdBy;
    this.createdByName = copy.createdByName;
    this.createdAt = copy.createdAt;
    this.fields = normalizeProgramInput(copy);
    this.statusValue = copy.status;
    this.version = copy.version;
    this.currentReviewIdValue = copy.currentReviewId;
    this.roundValue = copy.round;
    this.history = copy.statusHistory;
    this.updatedAt = copy.updatedAt;
  }

  get status(): ProgramStatus {
    return this.statusValue;
  }
  get createdBy(): string {
    return this.createdByValue;
  }
  get round(): number {
    return this.roundValue;
  }
  get currentReviewId(): string | null {
    return this.currentReviewIdValue;
  }
  get statusHistory(): readonly StatusChange[] {
    return structuredClone(this.history);
  }

  static draft(input: ProgramInput, actor: PersonRef, id: string, now: Date): ProgramAggregate {
    const fields = normalizeProgramInput(input);
    assertValidProgram(fields);
    const at = now.toISOString();
    const program = new ProgramAggregate({
      ...fields,
      id,
      createdBy: actor.id,
      ...nameField('createdByName', actor),
      status: 'DRAFT',
      version: 0,
      currentReviewId: null,
      round: 0,
      statusHistory: [{ status: 'DRAFT', at, ...changedBy(actor, null), reason: null }],
      createdAt: at,
      updatedAt: at,
    });
    program.touch();
    program.record('program.drafted', { programId: id, program: program.toSnapshot() });
    return program;
  }

  static restore(state: ProgramState): ProgramAggregate {
    return new ProgramAggregate(state);
  }

  /**
   * Checks run in this order: the state machine (409 INVALID_TRANSITION: the command does not
   * exist in this state, whoever asks), then the creator (403: only then is it worth telling the
   * caller anything about versions), then the version (409 STALE_VERSION: an allowed caller read
   * an old copy), then the content (400). A change that changes nothing is accepted silently:
   * no new version, no event, so a repeated PATCH is harmless.
   */
  revise(changes: Partial<ProgramInput>, expectedVersion: number, actor: PersonRef, now: Date): void {
    this.assertAllowed('revise');
    this.assertCreator(actor, 'revise');
    assertExpectedVersion(expectedVersion, this.version);

    const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    const next = normalizeProgramInput({ ...this.fields, ...given });
    assertValidProgram(next);
    const changedFields = PROGRAM_FIELDS.filter((f) => JSON.stringify(next[f]) !== JSON.stringify(this.fields[f]));
    if (changedFields.length === 0) return;

    this.fields = next;
    this.commit('revise', actor, null, now, () => ({
      programId: this.id,
      program: this.toSnapshot(),
      changedFields,
    }));
  }

  /** Starts a new review round: the review of the previous round, if any, is no longer current. */
  submit(actor: PersonRef, now: Date): void {
    this.assertAllowed('submit');
    this.assertCreator(actor, 'submit');
    this.roundValue += 1;
    this.currentReviewIdValue = null;
    this.commit('submit', actor, null, now, () => ({
      programId: this.id,
      program: this.toSnapshot(),
      round: this.roundValue,
    }));
  }

  withdraw(reason: string, actor: PersonRef, now: Date): void {
    this.assertAllowed('withdraw');
    this.assertCreator(actor, 'withdraw');
    const why = requireReason(reason);
    this.commit('withdraw', actor, why, now, () => ({ programId: this.id, reason: why }));
  }

  /**
   * On review.opened. A review opened for another round (a late or replayed event) must not move
   * the program: it is refused like any other transition that does not apply.
   */
  markUnderReview(reviewId: string, round: number, now: Date): void {
    this.assertAllowed('markUnderReview');
    if (round !== this.roundValue) {
      const action = `go under review for round ${round} (current round ${this.roundValue})`;
      throw new InvalidTransitionError('program', this.statusValue, action);
    }
    this.currentReviewIdValue = reviewId;
    this.commit('markUnderReview', SYSTEM_ACTOR, null, now, () => ({ programId: this.id, reviewId, round }));
  }

  /** On review.completed; only the review of the current round decides. */
  completeReview(reviewId: string, outcome: ReviewOutcome, rationale: string, decidedBy: PersonRef, now: Date): void {
    const command = REVIEW_OUTCOME_COMMANDS[outcome];
    this.assertAllowed(command);
    if (reviewId !== this.currentReviewIdValue) {
      throw new InvalidTransitionError(
        'program',
        this.statusValue,
        `complete review ${reviewId} (current review ${this.currentReviewIdValue ?? 'none'})`,
      );
    }
    if (command === 'approve') {
      this.commit(command, SYSTEM_ACTOR, rationale, now, () => this.approvedPayload(reviewId), decidedBy);
    } else {
      this.commit(command, SYSTEM_ACTOR, rationale, now, () => ({ programId: this.id, reviewId, rationale }), decidedBy);
    }
  }

  suspend(reason: string, actor: PersonRef, now: Date): void {
    this.byReason('suspend', reason, actor, now);
  }

  reinstate(reason: string, actor: PersonRef, now: Date): void {
    this.byReason('reinstate', reason, actor, now);
  }

  /** Any grant manager may close (API.md); the role is checked by the HTTP layer. */
  close(reason: string, actor: PersonRef, now: Date): void {
    this.byReason('close', reason, actor, now);
  }

  /** On an assessment outcome DISCONTINUE (assessmentId, recorded by decidedBy), or by the system without one. */
  discontinue(reason: string, assessmentId: string | null, decidedBy: PersonRef | null, now: Date): void {
    this.assertAllowed('discontinue');
    const why = requireReason(reason);
    this.commit('discontinue', SYSTEM_ACTOR, why, now, () => ({ programId: this.id, reason: why, assessmentId }), decidedBy);
  }

  toSnapshot(): ProgramSnapshot {
    return structuredClone({ id: this.id, ...this.fields, createdBy: this.createdByValue, version: this.version });
  }

  toState(): ProgramState {
    return structuredClone({
      ...this.fields,
      id: this.id,
      createdBy: this.createdByValue,
      ...nameField('createdByName', { name: this.createdByName }),
      status: this.statusValue,
      version: this.version,
      currentReviewId: this.currentReviewIdValue,
      round: this.roundValue,
      statusHistory: this.history,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    });
  }

  private approvedPayload(reviewId: string): EventPayloads['program.approved'] {
    const f = this.fields;
    return {
      programId: this.id,
      reviewId,
      budgetCents: f.budgetCents,
      startDate: f.startDate,
      endDate: f.endDate,
      assessmentCadenceDays: f.assessmentCadenceDays,
      indicators: f.objectives.flatMap((o) => o.indicators.map((i) => i.name)),
      country: f.country,
      pillar: f.pillar,
      title: f.title,
      createdBy: this.createdBy,
      partnerName: f.implementingPartner.name,
      partnerRegistrationId: f.implementingPartner.registrationId ?? null,
    };
  }

  /** suspend, reinstate and close differ only in their row of the table. */
  private byReason(command: 'suspend' | 'reinstate' | 'close', reason: string, actor: PersonRef, now: Date): void {
    this.assertAllowed(command);
    const why = requireReason(reason);
    this.commit(command, actor, why, now, () => ({ programId: this.id, reason: why }));
  }

  private assertAllowed(command: ProgramCommand): void {
    if (!programCommandAllowed(command, this.statusValue)) {
      throw new InvalidTransitionError('program', this.statusValue, command);
    }
  }

  private assertCreator(actor: PersonRef, command: ProgramCommand): void {
    if (actor.id !== this.createdByValue) {
      throw new AccessDeniedError('FORBIDDEN', `only the creator of program ${this.id} may ${command} it`, {
        programId: this.id,
        createdBy: this.createdByValue,
      });
    }
  }

  /**
   * Applies a command that passed its checks: moves the status as the table says (with a history
   * entry), bumps the version once, then records the event, whose payload is built afterwards so
   * that a snapshot in it carries the new version.
   */
  private commit<C extends ProgramCommand>(
    command: C,
    by: PersonRef,
    reason: string | null,
    now: Date,
    payload: () => EventPayloads[CommandEvent<C>],
    decidedBy: PersonRef | null = null,
  ): void {
    const { to, event } = PROGRAM_TRANSITIONS[command];
    const at = now.toISOString();
    if (to !== null) {
      this.statusValue = to;
      this.history.push({ status: to, at, ...changedBy(by, decidedBy), reason });
    }
    this.updatedAt = at;
    this.touch();
    this.record(event, payload());
  }
}

/** The history entry's people: who changed the status and, for the system, whose decision it carried out. */
function changedBy(by: PersonRef, decidedBy: PersonRef | null): Pick<StatusChange, 'by' | 'byName' | 'decidedBy' | 'decidedByName'> {
  return {
    ...actedBy(by),
    ...(decidedBy === null ? {} : { decidedBy: decidedBy.id, ...nameField('decidedByName', decidedBy) }),
  };
}

/** A status change that a person asks for must say why: the history is read by auditors. */
function requireReason(reason: string): string {
  const why = typeof reason === 'string' ? reason.trim() : '';
  if (why.length === 0) {
    throw new ValidationError('Invalid request: reason', [{ field: 'reason', problems: ['reason must not be empty'] }]);
  }
  return why;
}
