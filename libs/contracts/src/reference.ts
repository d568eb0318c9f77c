/** Reference data shared by every service and by outside clients. */
export const COUNTRIES = ['SV', 'GT', 'HN', 'REGIONAL'] as const;
export type Country = (typeof COUNTRIES)[number];

export const PILLARS = ['I', 'II', 'III', 'IV', 'V'] as const;
export type Pillar = (typeof PILLARS)[number];

export const ROLES = ['grant_manager', 'reviewer', 'approver', 'scheduler', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PROGRAM_STATUSES = [
  'DRAFT',
  'SUBMITTED',
  'UNDER_REVIEW',
  'REVISION_REQUESTED',
  'APPROVED',
  'REJECTED',
  'WITHDRAWN',
  'SUSPENDED',
  'DISCONTINUED',
  'CLOSED',
] as const;
export type ProgramStatus = (typeof PROGRAM_STATUSES)[number];

export const REVIEW_STATUSES = ['OPEN', 'AWAITING_SECOND_REVIEW', 'COMPLETED', 'CANCELLED'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export const REVIEW_DECISIONS = ['APPROVE', 'REQUEST_REVISION', 'REJECT'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
export const REVIEW_OUTCOMES = ['APPROVED', 'REVISION_REQUESTED', 'REJECTED'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];
export const CHECK_NAMES = ['restricted-party', 'measurable-objectives', 'schedule', 'targeting', 'high-value'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
export type CheckResultValue = 'PASS' | 'FAIL' | 'WARN';

/**
 * Amounts admin keeps as reference data (DOMAIN.md: "thresholds"): at or above `high-value` a
 * review needs two reviewers; at or above `dual-approval` a disbursement needs two approvers.
 */
export const THRESHOLD_NAMES = ['high-value', 'dual-approval'] as const;
export type ThresholdName = (typeof THRESHOLD_NAMES)[number];
/** A threshold as `GET /thresholds` answers it; `At` is how its time travels (a Date in the service, ISO text over JSON). */
export interface Threshold<At = string> {
  name: ThresholdName;
  amountCents: number;
  /** Changes so far (0: still the configured default); a PUT may send it back as `expectedVersion`. */
  version: number;
  /** Null while the configured default applies. */
  updatedBy: string | null;
  updatedAt: At | null;
}

export const DISBURSEMENT_STATUSES = [
  'REQUESTED',
  'PARTIALLY_APPROVED',
  'APPROVED',
  'RELEASED',
  'REJECTED',
  'CANCELLED',
] as const;
export type DisbursementStatus = (typeof DISBURSEMENT_STATUSES)[number];
/** DOMAIN.md's three, and PARTNER_RESTRICTED: the partner was put on the restricted list after its program was approved. */
export const HOLD_REASONS = ['PROGRAM_SUSPENDED', 'ASSESSMENT_OVERDUE', 'ADJUSTMENT_REQUIRED', 'PARTNER_RESTRICTED'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];
export const FUNDING_ACCOUNT_STATUSES = ['OPEN', 'CLOSED'] as const;
export type FundingAccountStatus = (typeof FUNDING_ACCOUNT_STATUSES)[number];

export const ASSESSMENT_STATUSES = ['SCHEDULED', 'DUE', 'OVERDUE', 'COMPLETED', 'CANCELLED'] as const;
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number];
export const ASSESSMENT_OUTCOMES = ['CONTINUE', 'STRENGTHEN', 'ADJUST', 'DISCONTINUE'] as const;
export type AssessmentOutcome = (typeof ASSESSMENT_OUTCOMES)[number];
export const ASSESSMENT_KINDS = ['PLANNED', 'AD_HOC', 'FOLLOW_UP'] as const;
export type AssessmentKind = (typeof ASSESSMENT_KINDS)[number];
