// Reference data comes from the shared contracts so the console never drifts from the services.
export {
  ASSESSMENT_OUTCOMES,
  ASSESSMENT_STATUSES,
  COUNTRIES,
  DISBURSEMENT_STATUSES,
  HOLD_REASONS,
  PILLARS,
  PROGRAM_STATUSES,
  REVIEW_DECISIONS,
  ROLES,
} from '../../../../../libs/contracts/src/reference';
export type {
  AssessmentKind,
  AssessmentOutcome,
  AssessmentStatus,
  CheckName,
  CheckResultValue,
  Country,
  DisbursementStatus,
  FundingAccountStatus,
  HoldReason,
  Pillar,
  ProgramStatus,
  ReviewDecision,
  ReviewStatus,
  Role,
  ThresholdName,
} from '../../../../../libs/contracts/src/reference';
export type { ErrorBody, ErrorCode } from '../../../../../libs/contracts/src/errors';
export { EVENT_TYPES } from '../../../../../libs/contracts/src/payload-schema';
export { SERVICES } from '../../../../../libs/contracts/src/services';

import type { Country, Pillar, Role } from '../../../../../libs/contracts/src/reference';

export const COUNTRY_NAMES: Record<Country, string> = {
  SV: 'El Salvador',
  GT: 'Guatemala',
  HN: 'Honduras',
  REGIONAL: 'Regional',
};

export const PILLAR_NAMES: Record<Pillar, string> = {
  I: 'Economic insecurity and inequality',
  II: 'Corruption, democratic governance, rule of law',
  III: 'Human rights, labor rights, free press',
  IV: 'Violence, extortion, gangs, trafficking, organized crime',
  V: 'Sexual, gender-based and domestic violence',
};

export const ROLE_NAMES: Record<Role, string> = {
  grant_manager: 'Grant managers',
  reviewer: 'Reviewers',
  approver: 'Approvers (finance)',
  scheduler: 'Schedulers',
  auditor: 'Auditors',
  admin: 'Administrators',
};
