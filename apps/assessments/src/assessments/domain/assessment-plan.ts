import type { AssessmentKind, AssessmentStatus } from '#libs/contracts';
import { InvalidTransitionError, ValidationError } from '#libs/core';
import { addDays, calendarDay, calendarDayOf, daysBetween } from './day-clock.js';

export const DEFAULT_GRACE_DAYS = 14;
export const MIN_CADENCE_DAYS = 30;
export const MAX_CADENCE_DAYS = 365;

export interface PlannedPoint {
  sequence: number;
  dueAt: Date;
}

/** What replanning needs to know of a point already made (an AssessmentPointAggregate fits). */
export interface ExistingPoint {
  id: string;
  sequence: number | null;
  kind: AssessmentKind;
  status: AssessmentStatus;
  dueAt: Date;
}

/** The outcome of a cadence change: the caller cancels `cancel` (and their timers) and schedules `create`. */
export interface Replan<P extends ExistingPoint = ExistingPoint> {
  keep: P[];
  cancel: P[];
  create: PlannedPoint[];
}

export interface PlanInput {
  approvedAt: Date;
  startDate: string;
  endDate: string;
  cadenceDays: number;
  dayMs: number;
}

/** The part of a plan that fixes where its points may fall: after `startAt`, up to `endAt`. */
export interface PlanSpan {
  startAt: Date;
  endAt: Date;
}

export type AssessmentPlanStatus = 'ACTIVE' | 'CLOSED';

export interface AssessmentPlanState extends PlanSpan {
  programId: string;
  approvedAt: Date;
  cadenceDays: number;
  graceDays: number;
  status: AssessmentPlanStatus;
  closedAt: Date | null;
  version: number;
}

/**
 * Where a plan's points may fall, and why in days rather than instants: `dayMs` may be a second
 * in tests and demos while the program's dates stay real calendar dates, so comparing instants
 * against `endDate` would be meaningless. A calendar date D stands for `approvedAt + (D − the UTC
 * date of the approval) × dayMs` on the configured clock, so on real days it is D at the time of
 * day of the approval. Then:
 * - the span starts at the later of the approval and the program's `startDate` (nothing is
 *   assessed for time before the program runs or before it was approved) and ends on `endDate`,
 *   the program's last day;
 * - point i (i ≥ 1) is due `i × cadenceDays` days after the start of the span while that does not
 *   pass its end (DOMAIN.md: "every assessmentCadenceDays from approval until endDate", read as
 *   from when there is something to assess), and one may fall on the end date itself.
 * A 2027-01-01..2027-12-31 program (364 days) approved on or before its start, with cadence 90,
 * gets points 90, 180, 270 and 360 days after 1 January; approved on 1 July, 90 and 180 days
 * after 1 July.
 */
export function planSpan(approvedAt: Date, startDate: string, endDate: string, dayMs: number): PlanSpan {
  const approvalDay = calendarDayOf(approvedAt);
  const fromApproval = (day: number) => addDays(approvedAt, day - approvalDay, dayMs);
  const startDay = Math.max(approvalDay, calendarDay(startDate, 'startDate'));
  const endDay = Math.max(startDay, calendarDay(endDate, 'endDate'));
  return { startAt: fromApproval(startDay), endAt: fromApproval(endDay) };
}

export function assertCadence(cadenceDays: number): void {
  if (!Number.isInteger(cadenceDays) || cadenceDays < MIN_CADENCE_DAYS || cadenceDays > MAX_CADENCE_DAYS) {
    const message = `must be a whole number from ${MIN_CADENCE_DAYS} to ${MAX_CADENCE_DAYS}`;
    throw new ValidationError(`cadenceDays ${message}`, [{ field: 'cadenceDays', message }]);
  }
}

function pointsWithin({ startAt, endAt }: PlanSpan, cadenceDays: number, dayMs: number): PlannedPoint[] {
  const points: PlannedPoint[] = [];
  const spanDays = daysBetween(startAt, endAt, dayMs);
  for (let i = 1; i * cadenceDays <= spanDays; i++) {
    points.push({ sequence: i, dueAt: addDays(startAt, i * cadenceDays, dayMs) });
  }
  return points;
}

/** The points of a new plan; see `planSpan` for the rule. */
export function planPoints({ approvedAt, startDate, endDate, cadenceDays, dayMs }: PlanInput): PlannedPoint[] {
  assertCadence(cadenceDays);
  return pointsWithin(planSpan(approvedAt, startDate, endDate, dayMs), cadenceDays, dayMs);
}

/**
 * A cadence change (PUT plan): planned points still SCHEDULED and due after `now` give way to
 * the points of the new cadence (laid out over the plan's span, as `planPoints` does) that fall after
 * `now`. Everything else stays: points already DUE, OVERDUE, COMPLETED or CANCELLED, points whose
 * date has passed but whose timer has not fired yet, and ad-hoc and follow-up points, which are
 * not part of the cadence. A future point already at a date the new cadence wants is kept
 * rather than cancelled and made again.
 *
 * `existing` must be every point of the program, whatever its status: new points are numbered
 * after the highest sequence ever used, so a sequence names one point of the program for good.
 */
export function replanFuture<P extends ExistingPoint>(
  existing: readonly P[],
  newCadence: number,
  now: Date,
  span: PlanSpan,
  dayMs: number,
): Replan<P> {
  assertCadence(newCadence);
  const wanted = pointsWithin(span, newCadence, dayMs)
    .map((p) => p.dueAt.getTime())
    .filter((at) => at > now.getTime());
  const unmet = new Set(wanted);

  const keep: P[] = [];
  const cancel: P[] = [];
  for (const point of existing) {
    const movable = point.kind === 'PLANNED' && point.status === 'SCHEDULED' && point.dueAt > now;
    if (!movable || unmet.delete(point.dueAt.getTime())) keep.push(point);
    else cancel.push(point);
  }

  let sequence = Math.max(0, ...existing.map((p) => p.sequence ?? 0));
  const create = wanted.filter((at) => unmet.has(at)).map((at) => ({ sequence: ++sequence, dueAt: new Date(at) }));
  return { keep, cancel, create };
}

export interface NewPlan {
  programId: string;
  approvedAt: Date;
  startDate: string;
  endDate: string;
  cadenceDays: number;
  graceDays?: number;
}

/** The assessment plan of one approved program: its cadence, grace period and span. */
export class AssessmentPlan {
  programId: string;
  cadenceDays: number;
  graceDays: number;
  approvedAt: Date;
  /** The span on the configured clock (see `planSpan`): points fall after `startAt`, up to `endAt`. */
  startAt: Date;
  endAt: Date;
  status: AssessmentPlanStatus;
  closedAt: Date | null;
  version: number;

  private constructor(state: AssessmentPlanState) {
    Object.assign(this, structuredClone(state));
  }

  /** Makes the plan of a program just approved, with the points to schedule. */
  static create(input: NewPlan, dayMs: number): { plan: AssessmentPlan; points: PlannedPoint[] } {
    const graceDays = input.graceDays ?? DEFAULT_GRACE_DAYS;
    if (!Number.isInteger(graceDays) || graceDays < 0) {
      throw new ValidationError('graceDays must be a whole number of days', [
        { field: 'graceDays', problems: ['must be a whole number ≥ 0'] },
      ]);
    }
    const points = planPoints({ ...input, dayMs });
    const plan = new AssessmentPlan({
      programId: input.programId,
      cadenceDays: input.cadenceDays,
      graceDays,
      approvedAt: input.approvedAt,
      ...planSpan(input.approvedAt, input.startDate, input.endDate, dayMs),
      status: 'ACTIVE',
      closedAt: null,
      version: 1,
    });
    return { plan, points };
  }

  static restore(state: AssessmentPlanState): AssessmentPlan {
    // Dates may come back from JSON columns as strings.
    return new AssessmentPlan({
      ...state,
      approvedAt: new Date(state.approvedAt),
      startAt: new Date(state.startAt),
      endAt: new Date(state.endAt),
      closedAt: state.closedAt && new Date(state.closedAt),
    });
  }

  toState(): AssessmentPlanState {
    return structuredClone({
      programId: this.programId,
      cadenceDays: this.cadenceDays,
      graceDays: this.graceDays,
      approvedAt: this.approvedAt,
      startAt: this.startAt,
      endAt: this.endAt,
      status: this.status,
      closedAt: this.closedAt,
      version: this.version,
    });
  }

  /** PUT plan: sets the cadence and says which points to keep, cancel and create (see `replanFuture`). */
  changeCadence<P extends ExistingPoint>(
    cadenceDays: number,
    existing: readonly P[],
    now: Date,
    dayMs: number,
  ): Replan<P> {
    // A discontinued or closed program must not get new points.
    if (this.status !== 'ACTIVE') {
      throw new InvalidTransitionError('assessment plan', this.status, 'change its cadence');
    }
    const replan = replanFuture(existing, cadenceDays, now, this, dayMs);
    this.cadenceDays = cadenceDays;
    this.version += 1;
    return replan;
  }

  /** Ends the plan when its program is discontinued or closed; a second call changes nothing. */
  close(now: Date): boolean {
    if (this.status === 'CLOSED') return false;
    this.status = 'CLOSED';
    this.closedAt = now;
    this.version += 1;
    return true;
  }
}
