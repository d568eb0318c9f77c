import type { EventEnvelope } from './envelope.js';
import type {
  AssessmentKind,
  AssessmentOutcome,
  CheckName,
  CheckResultValue,
  Country,
  HoldReason,
  Pillar,
  ReviewDecision,
  ReviewOutcome,
  ThresholdName,
} from './reference.js';

/** Unit, baseline and target may be missing in a draft: the measurable-objectives safeguard judges them. */
export interface Indicator {
  name: string;
  unit: string;
  baseline: number | null;
  target: number | null;
}
export interface Objective {
  description: string;
  indicators: Indicator[];
}
export interface ImplementingPartner {
  name: string;
  registrationId?: string;
  country: Country;
}
export interface Cofunding {
  partner: string;
  amountCents: number;
}
/** What a grant manager writes: the create body of API.md, also the shape of a revision. */
export interface ProgramInput {
  title: string;
  summary: string;
  country: Country;
  pillar: Pillar;
  objectives: Objective[];
  targetAreas: string[];
  implementingPartner: ImplementingPartner;
  budgetCents: number;
  cofunding?: Cofunding[];
  startDate: string;
  endDate: string;
  assessmentCadenceDays?: number;
}

/**
 * The program as submitted: reviews work from this snapshot, never from proposals' tables. It is
 * the create body with its defaults filled in, plus who drafted it and at which version.
 */
export type ProgramSnapshot = Required<ProgramInput> & {
  id: string;
  createdBy: string;
  version: number;
};
export interface CheckResult {
  name: CheckName;
  result: CheckResultValue;
  blocking: boolean;
  detail: string;
}
export interface IndicatorResult {
  indicator: string;
  value: number;
}

/** Every event type (DOMAIN.md's catalogue and the additions README.md lists), with its payload. The one place event names live. */
export interface EventPayloads {
  'program.drafted': { programId: string; program: ProgramSnapshot };
  'program.revised': { programId: string; program: ProgramSnapshot; changedFields: string[] };
  'program.submitted': { programId: string; program: ProgramSnapshot; round: number };
  'program.withdrawn': { programId: string; reason: string };
  'program.under-review': { programId: string; reviewId: string; round: number };
  'program.revision-requested': { programId: string; reviewId: string; rationale: string };
  'program.approved': {
    programId: string;
    reviewId: string;
    budgetCents: number;
    startDate: string;
    endDate: string;
    assessmentCadenceDays: number;
    indicators: string[];
    country: Country;
    pillar: Pillar;
    title: string;
    /** Who drafted it and whom it funds: assessments refuse outcomes from either (conflict of interest). */
    createdBy: string;
    partnerName: string;
    /** Disbursements screen the partner at payment time by name and registration id (absent in events of older versions). */
    partnerRegistrationId?: string | null;
  };
  'program.rejected': { programId: string; reviewId: string; rationale: string };
  'program.suspended': { programId: string; reason: string };
  'program.reinstated': { programId: string; reason: string };
  'program.discontinued': { programId: string; reason: string; assessmentId: string | null };
  'program.closed': { programId: string; reason: string };

  'review.opened': {
    reviewId: string;
    programId: string;
    round: number;
    checks: CheckResult[];
    requiredApprovals: number;
  };
  'review.decision-recorded': {
    reviewId: string;
    programId: string;
    decision: ReviewDecision;
    rationale: string;
    reviewerId: string;
  };
  'review.completed': { reviewId: string; programId: string; outcome: ReviewOutcome; rationale: string };
  'review.cancelled': { reviewId: string; programId: string; reason: string };
  /**
   * The restricted list changed (`partyId` added or removed) while the review was undecided and the
   * party matches its partner: the restricted-party check, run again on the list as it now is.
   */
  'review.check-changed': { reviewId: string; programId: string; check: CheckResult; previous: CheckResult; partyId: string };

  'funding.account-opened': { programId: string; budgetCents: number };
  'funding.account-closed': { programId: string; reason: string };
  'funding.hold-placed': { programId: string; hold: HoldReason; holds: HoldReason[]; causeId: string | null };
  'funding.hold-lifted': { programId: string; hold: HoldReason; holds: HoldReason[]; causeId: string | null };
  'disbursement.requested': {
    disbursementId: string;
    programId: string;
    amountCents: number;
    purpose: string;
    requestedBy: string;
  };
  'disbursement.approval-recorded': {
    disbursementId: string;
    programId: string;
    approverId: string;
    approvals: number;
    requiredApprovals: number;
  };
  'disbursement.approved': { disbursementId: string; programId: string; amountCents: number };
  'disbursement.rejected': { disbursementId: string; programId: string; reason: string };
  'disbursement.released': {
    disbursementId: string;
    programId: string;
    amountCents: number;
    paymentReference: string;
  };
  'disbursement.cancelled': { disbursementId: string; programId: string; reason: string };

  'assessment.scheduled': {
    assessmentId: string;
    programId: string;
    dueAt: string;
    kind: AssessmentKind;
    reason: string | null;
  };
  'assessment.due': { assessmentId: string; programId: string; dueAt: string };
  'assessment.overdue': { assessmentId: string; programId: string; dueAt: string };
  'assessment.completed': {
    assessmentId: string;
    programId: string;
    outcome: AssessmentOutcome;
    narrative: string;
    indicatorResults: IndicatorResult[];
    requiredActions: string[];
    /** ADJUST: the follow-up point whose answer lifts the ADJUSTMENT_REQUIRED hold; otherwise null. */
    followUpAssessmentId: string | null;
  };
  'assessment.rescheduled': {
    assessmentId: string;
    programId: string;
    previousDueAt: string;
    dueAt: string;
    reason: string;
  };
  'assessment.cancelled': { assessmentId: string; programId: string; reason: string };
  /** A scheduler's change of a plan's cadence: the ledger shows who made it even when no point moves. */
  'assessment.cadence-changed': { programId: string; cadenceDays: number; previousCadenceDays: number };

  'access.denied': {
    method: string;
    path: string;
    statusCode: number;
    code: string;
    reason: string;
    programId: string | null;
  };
  /**
   * Reference data kept by admin. The safeguard checks judge programs by it, so who changed it,
   * when and how is evidence too: in the ledger, not only in reviews' own rows.
   */
  'reference.restricted-party-added': { partyId: string; name: string; registrationId: string | null; reason: string; source: string };
  'reference.restricted-party-removed': { partyId: string; name: string; registrationId: string | null; reason: string | null };
  'reference.priority-areas-changed': { country: Country; areas: string[]; previousAreas: string[] };
  /** `previousAmountCents` is what applied before: the configured default when never set. */
  'reference.threshold-changed': { name: ThresholdName; amountCents: number; previousAmountCents: number };

  /** Audit asks a source to publish a range of its outbox again, to heal a gap in `sourceSeq`. */
  'audit.republish-requested': { source: string; fromSeq: number; toSeq: number };
}

export type EventType = keyof EventPayloads;
export type EventOf<T extends EventType> = EventEnvelope<T, EventPayloads[T]>;
/** The discriminated union of every domain event: narrow on `type`. */
export type DomainEvent = { [T in EventType]: EventOf<T> }[EventType];
