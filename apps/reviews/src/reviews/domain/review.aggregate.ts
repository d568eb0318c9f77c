import {
  REVIEW_DECISIONS,
  type CheckResult,
  type ProgramSnapshot,
  type ReviewDecision,
  type ReviewOutcome,
  type ReviewStatus,
} from '#libs/contracts';
import {
  AccessDeniedError,
  AggregateRoot,
  InvalidTransitionError,
  RuleViolationError,
  ValidationError,
  normalisePartyName,
} from '#libs/core';
import { blockingFailures, requiredApprovals } from './safeguard-checks.js';

export const MIN_RATIONALE_LENGTH = 20;

export interface Reviewer {
  id: string;
  name?: string;
  org?: string;
}

export interface ReviewDecisionRecord {
  reviewerId: string;
  reviewerName?: string;
  decision: ReviewDecision;
  rationale: string;
  at: Date;
}

export interface ReviewState {
  id: string;
  programId: string;
  round: number;
  snapshot: ProgramSnapshot;
  checks: CheckResult[];
  requiredApprovals: number;
  status: ReviewStatus;
  outcome: ReviewOutcome | null;
  decisions: ReviewDecisionRecord[];
  openedAt: Date;
  completedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  version: number;
}

const UNDECIDED: ReadonlySet<ReviewStatus> = new Set(['OPEN', 'AWAITING_SECOND_REVIEW']);
const ENDING_OUTCOME: Record<Exclude<ReviewDecision, 'APPROVE'>, ReviewOutcome> = {
  REJECT: 'REJECTED',
  REQUEST_REVISION: 'REVISION_REQUESTED',
};

/** One accountability review of one submission round of a program, from its submitted snapshot. */
export class ReviewAggregate extends AggregateRoot {
  readonly aggregateType = 'review';
  id: string;
  programId: string;
  round: number;
  snapshot: ProgramSnapshot;
  checks: CheckResult[];
  requiredApprovals: number;
  status: ReviewStatus;
  outcome: ReviewOutcome | null;
  decisions: ReviewDecisionRecord[];
  openedAt: Date;
  completedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;

  private constructor(state: ReviewState) {
    super();
    Object.assign(this, structuredClone(state));
  }

  static open(id: string, snapshot: ProgramSnapshot, round: number, checks: CheckResult[], now: Date): ReviewAggregate {
    if (!Number.isInteger(round) || round < 1) {
      throw new ValidationError('round must be a positive whole number', [
        { field: 'round', problems: ['must be a positive whole number'] },
      ]);
    }
    const review = new ReviewAggregate({
      id,
      programId: snapshot.id,
      round,
      snapshot,
      checks,
      requiredApprovals: requiredApprovals(checks),
      status: 'OPEN',
      outcome: null,
      decisions: [],
      openedAt: now,
      completedAt: null,
      cancelledAt: null,
      cancelReason: null,
      version: 0,
    });
    review.touch();
    review.record('review.opened', {
      reviewId: id,
      programId: review.programId,
      round,
      checks: review.checks,
      requiredApprovals: review.requiredApprovals,
    });
    return review;
  }

  static restore(state: ReviewState): ReviewAggregate {
    // Dates may come back from JSON columns as strings.
    return new ReviewAggregate({
      ...state,
      openedAt: new Date(state.openedAt),
      completedAt: state.completedAt && new Date(state.completedAt),
      cancelledAt: state.cancelledAt && new Date(state.cancelledAt),
      decisions: state.decisions.map((d) => ({ ...d, at: new Date(d.at) })),
    });
  }

  toState(): ReviewState {
    return structuredClone({
      id: this.id,
      programId: this.programId,
      round: this.round,
      snapshot: this.snapshot,
      checks: this.checks,
      requiredApprovals: this.requiredApprovals,
      status: this.status,
      outcome: this.outcome,
      decisions: this.decisions,
      openedAt: this.openedAt,
      completedAt: this.completedAt,
      cancelledAt: this.cancelledAt,
      cancelReason: this.cancelReason,
      version: this.version,
    });
  }

  get approvals(): number {
    return this.decisions.filter((d) => d.decision === 'APPROVE').length;
  }

  /**
   * Records a reviewer's decision. Every refusal is thrown before any state changes, so a
   * refused decision leaves the review exactly as it was.
   */
  decide(reviewer: Reviewer, decision: ReviewDecision, rationale: string, now: Date): void {
    if (!UNDECIDED.has(this.status)) throw new InvalidTransitionError('review', this.status, 'record a decision');
    if (!REVIEW_DECISIONS.includes(decision)) {
      throw new ValidationError(`decision must be one of ${REVIEW_DECISIONS.join(', ')}`, [
        { field: 'decision', problems: [`must be one of ${REVIEW_DECISIONS.join(', ')}`] },
      ]);
    }
    const reason = typeof rationale === 'string' ? rationale.trim() : '';
    if (reason.length < MIN_RATIONALE_LENGTH) {
      throw new ValidationError(`rationale must be at least ${MIN_RATIONALE_LENGTH} characters`, [
        { field: 'rationale', problems: [`must be at least ${MIN_RATIONALE_LENGTH} characters`] },
      ]);
    }
    this.assertNoConflictOfInterest(reviewer);
    if (this.decisions.some((d) => d.reviewerId === reviewer.id)) {
      throw new AccessDeniedError('SEPARATION_OF_DUTIES', `reviewer ${reviewer.id} has already decided this review`, {
        reviewId: this.id,
        programId: this.programId,
        reviewerId: reviewer.id,
      });
    }
    const blocking = blockingFailures(this.checks);
    if (decision === 'APPROVE' && blocking.length) {
      throw new RuleViolationError(
        'SAFEGUARD_BLOCKING',
        `cannot approve while blocking safeguard checks fail: ${blocking.map((c) => c.name).join(', ')}`,
        { failing: blocking.map((c) => c.name) },
      );
    }

    this.touch();
    this.decisions.push({
      reviewerId: reviewer.id,
      ...(reviewer.name ? { reviewerName: reviewer.name } : {}),
      decision,
      rationale: reason,
      at: now,
    });
    this.record('review.decision-recorded', {
      reviewId: this.id,
      programId: this.programId,
      decision,
      rationale: reason,
      reviewerId: reviewer.id,
    });
    if (decision !== 'APPROVE') this.complete(ENDING_OUTCOME[decision], reason, now);
    else if (this.approvals >= this.requiredApprovals) this.complete('APPROVED', reason, now);
    else this.status = 'AWAITING_SECOND_REVIEW';
  }

  /**
   * The restricted list changed while the review is undecided: its restricted-party check becomes
   * `check`, run on the list as it now is, so an APPROVE is refused once the partner is listed
   * (and allowed again once a listing made in error is removed). Returns false, changing nothing,
   * once the review is decided or when the check reads the same.
   */
  rescreen(check: CheckResult, partyId: string): boolean {
    const at = this.checks.findIndex((c) => c.name === check.name);
    const previous = this.checks[at];
    if (!UNDECIDED.has(this.status) || at < 0 || JSON.stringify(previous) === JSON.stringify(check)) return false;
    this.touch();
    this.checks[at] = check;
    this.record('review.check-changed', { reviewId: this.id, programId: this.programId, check, previous, partyId });
    return true;
  }

  /** Ends an undecided review without an outcome, e.g. because the program was withdrawn. */
  cancel(reason: string, now: Date): void {
    if (!UNDECIDED.has(this.status)) throw new InvalidTransitionError('review', this.status, 'be cancelled');
    this.touch();
    this.status = 'CANCELLED';
    this.cancelledAt = now;
    this.cancelReason = reason;
    this.record('review.cancelled', { reviewId: this.id, programId: this.programId, reason });
  }

  /** Nobody reviews a program they drafted, nor one their own organisation would implement. */
  private assertNoConflictOfInterest(reviewer: Reviewer): void {
    // programId puts the audited denial on the program's timeline.
    const details = { reviewId: this.id, programId: this.programId, reviewerId: reviewer.id };
    if (reviewer.id === this.snapshot.createdBy) {
      throw new AccessDeniedError('CONFLICT_OF_INTEREST', `reviewer ${reviewer.id} drafted this program`, {
        ...details,
        reason: 'SELF_REVIEW',
      });
    }
    const org = reviewer.org ? normalisePartyName(reviewer.org) : '';
    if (org && org === normalisePartyName(this.snapshot.implementingPartner.name)) {
      throw new AccessDeniedError(
        'CONFLICT_OF_INTEREST',
        `reviewer ${reviewer.id} belongs to the implementing partner "${this.snapshot.implementingPartner.name}"`,
        { ...details, reason: 'PARTNER_ORGANISATION' },
      );
    }
  }

  private complete(outcome: ReviewOutcome, rationale: string, now: Date): void {
    this.status = 'COMPLETED';
    this.outcome = outcome;
    this.completedAt = now;
    this.record('review.completed', { reviewId: this.id, programId: this.programId, outcome, rationale });
  }
}
