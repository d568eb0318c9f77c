import type {
  AssessmentKind,
  AssessmentOutcome,
  AssessmentStatus,
  CheckName,
  Country,
  DisbursementStatus,
  FundingAccountStatus,
  HoldReason,
  ProgramStatus,
  ReviewDecision,
  ReviewStatus,
  Role,
} from '../lib/reference';
import type { Actor } from '../../../../../libs/contracts/src/envelope';
import type { CheckResult, IndicatorResult, ProgramInput } from '../../../../../libs/contracts/src/events';

/** The shapes of API.md as the console reads them. Fields the contract leaves open are optional. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Person {
  sub: string;
  name: string;
  roles: Role[];
  org: string;
  token: string;
}

export type { ProgramInput };

/** One status change. The contract names "who, when, why"; the console accepts the usual spellings. */
export interface StatusChange {
  status?: ProgramStatus;
  to?: ProgramStatus;
  from?: ProgramStatus | null;
  at?: string;
  occurredAt?: string;
  by?: string;
  byName?: string;
  /** Whose decision in another service the change carried out (a review, an assessment outcome). */
  decidedBy?: string;
  decidedByName?: string;
  actorId?: string;
  actor?: { id: string; name?: string } | string;
  reason?: string | null;
  rationale?: string | null;
}

export interface Program extends ProgramInput {
  id: string;
  status: ProgramStatus;
  version: number;
  createdBy: string;
  createdByName?: string;
  createdAt?: string;
  updatedAt?: string;
  /** The review of the current round, once it has opened. */
  currentReviewId?: string | null;
  round?: number;
  statusHistory?: StatusChange[];
}

/** Check names are the contract's; a service may add one the console does not know yet. */
export type Check = Omit<CheckResult, 'name'> & { name: CheckName | string };
export interface Decision {
  decision: ReviewDecision;
  rationale: string;
  reviewerId: string;
  reviewerName?: string;
  at: string;
}
export interface Review {
  id: string;
  programId: string;
  round?: number;
  status: ReviewStatus;
  checks?: Check[];
  decisions?: Decision[];
  requiredApprovals?: number;
  outcome?: string | null;
  /** The program as submitted for this round. */
  snapshot?: { createdBy?: string; implementingPartner?: { name?: string } };
  programTitle?: string;
  openedAt?: string;
  createdAt?: string;
}

export interface FundingAccount {
  programId: string;
  budgetCents: number;
  reservedCents: number;
  releasedCents: number;
  availableCents: number;
  holds: HoldReason[];
  /** The restricted-list entries behind a PARTNER_RESTRICTED hold. */
  restrictingParties?: Array<{ partyId: string; name: string; reason: string; source: string }>;
  status: FundingAccountStatus;
}

export interface Approval {
  approverId: string;
  approverName?: string;
  at: string;
  comment?: string | null;
}
export interface Disbursement {
  id: string;
  programId: string;
  amountCents: number;
  purpose: string;
  status: DisbursementStatus;
  requestedBy?: string;
  requestedByName?: string;
  requestedAt?: string;
  createdAt?: string;
  approvals?: Approval[];
  requiredApprovals?: number;
  paymentReference?: string | null;
  /** Who released it, when, against which payment. */
  release?: { at: string; by: string; byName?: string; paymentReference: string } | null;
  /** Who ended it without payment, why and when. */
  rejection?: Ending | null;
  cancellation?: Ending | null;
  reason?: string | null;
}

export interface Ending {
  at: string;
  by: string;
  byName?: string;
  reason: string;
}

export interface AssessmentPoint {
  id: string;
  programId: string;
  dueAt: string;
  status: AssessmentStatus;
  kind?: AssessmentKind;
  reason?: string | null;
  outcome?: AssessmentOutcome | null;
  narrative?: string | null;
  requiredActions?: string[];
  completedBy?: string | null;
  completedByName?: string;
  completedAt?: string | null;
}
export interface AssessmentPlan {
  programId: string;
  cadenceDays: number;
  graceDays: number;
  /** Points fall after startAt (the later of approval and the program's start), up to endAt. */
  startAt: string;
  endAt: string;
  nextDueAt: string | null;
}
export interface OutcomeInput {
  outcome: AssessmentOutcome;
  narrative: string;
  indicatorResults: IndicatorResult[];
  requiredActions?: string[];
}

export interface RestrictedParty {
  id: string;
  name: string;
  registrationId?: string | null;
  reason: string;
  source: string;
  createdAt?: string;
}
export interface RestrictedPartyInput {
  name: string;
  registrationId?: string;
  reason: string;
  source: string;
}

export interface AuditEntry {
  seq: number;
  eventId: string;
  type: string;
  source: string;
  sourceSeq: number;
  actor: Actor;
  occurredAt: string;
  recordedAt: string;
  aggregateType?: string;
  aggregateId?: string;
  correlationId?: string;
  payload: unknown;
  prevHash: string;
  hash: string;
}
export interface AuditFilter {
  aggregateId?: string;
  /** Entries about the program from every service, as its timeline. */
  programId?: string;
  type?: string;
  actorId?: string;
  source?: string;
  correlationId?: string;
  from?: string;
  to?: string;
}
export interface AuditVerification {
  valid: boolean;
  checked: number;
  headSeq: number | null;
  headHash: string | null;
  firstInvalidSeq: number | null;
  reason?: string | null;
  gaps: Array<{ source: string; fromSeq: number; toSeq: number }>;
  /** Above each source's newest entry, up to the head it reported. */
  unrecorded: Array<{ source: string; fromSeq: number; toSeq: number }>;
}

export interface PriorityAreas {
  country: Country;
  areas: string[];
  /** Changes so far; a change is sent with the version it was made to. */
  version: number;
}

export type { Threshold } from '../../../../../libs/contracts/src/reference';
