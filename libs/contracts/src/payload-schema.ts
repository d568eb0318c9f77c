import type { EventPayloads, EventType } from './events.js';

/**
 * Field kinds for validating payloads again at the worker edge. Typed against EventPayloads
 * so a payload field cannot be added without saying how it is checked.
 */
type Kind = 'uuid' | 'string' | 'int' | 'cents' | 'date' | 'datetime' | 'object' | 'strings' | 'objects';
type Nullable<K extends Kind> = `${K}?`;
type FieldSpec = Kind | Nullable<Kind>;
type Schema = { [T in EventType]: { [F in keyof EventPayloads[T]]-?: FieldSpec } };

const program = { programId: 'uuid', program: 'object' } as const;
const disbursement = { disbursementId: 'uuid', programId: 'uuid' } as const;
const assessment = { assessmentId: 'uuid', programId: 'uuid' } as const;
const hold = { programId: 'uuid', hold: 'string', holds: 'strings', causeId: 'string?' } as const;

export const PAYLOAD_SCHEMA: Schema = {
  'program.drafted': program,
  'program.revised': { ...program, changedFields: 'strings' },
  'program.submitted': { ...program, round: 'int' },
  'program.withdrawn': { programId: 'uuid', reason: 'string' },
  'program.under-review': { programId: 'uuid', reviewId: 'uuid', round: 'int' },
  'program.revision-requested': { programId: 'uuid', reviewId: 'uuid', rationale: 'string' },
  'program.approved': {
    programId: 'uuid',
    reviewId: 'uuid',
    budgetCents: 'cents',
    startDate: 'date',
    endDate: 'date',
    assessmentCadenceDays: 'int',
    indicators: 'strings',
    country: 'string',
    pillar: 'string',
    title: 'string',
    createdBy: 'string',
    partnerName: 'string',
    partnerRegistrationId: 'string?',
  },
  'program.rejected': { programId: 'uuid', reviewId: 'uuid', rationale: 'string' },
  'program.suspended': { programId: 'uuid', reason: 'string' },
  'program.reinstated': { programId: 'uuid', reason: 'string' },
  'program.discontinued': { programId: 'uuid', reason: 'string', assessmentId: 'uuid?' },
  'program.closed': { programId: 'uuid', reason: 'string' },
  'review.opened': { reviewId: 'uuid', programId: 'uuid', round: 'int', checks: 'objects', requiredApprovals: 'int' },
  'review.decision-recorded': {
    reviewId: 'uuid',
    programId: 'uuid',
    decision: 'string',
    rationale: 'string',
    reviewerId: 'string',
  },
  'review.completed': { reviewId: 'uuid', programId: 'uuid', outcome: 'string', rationale: 'string' },
  'review.cancelled': { reviewId: 'uuid', programId: 'uuid', reason: 'string' },
  'review.check-changed': { reviewId: 'uuid', programId: 'uuid', check: 'object', previous: 'object', partyId: 'uuid' },
  'funding.account-opened': { programId: 'uuid', budgetCents: 'cents' },
  'funding.account-closed': { programId: 'uuid', reason: 'string' },
  'funding.hold-placed': hold,
  'funding.hold-lifted': hold,
  'disbursement.requested': { ...disbursement, amountCents: 'cents', purpose: 'string', requestedBy: 'string' },
  'disbursement.approval-recorded': { ...disbursement, approverId: 'string', approvals: 'int', requiredApprovals: 'int' },
  'disbursement.approved': { ...disbursement, amountCents: 'cents' },
  'disbursement.rejected': { ...disbursement, reason: 'string' },
  'disbursement.released': { ...disbursement, amountCents: 'cents', paymentReference: 'string' },
  'disbursement.cancelled': { ...disbursement, reason: 'string' },
  'assessment.scheduled': { ...assessment, dueAt: 'datetime', kind: 'string', reason: 'string?' },
  'assessment.due': { ...assessment, dueAt: 'datetime' },
  'assessment.overdue': { ...assessment, dueAt: 'datetime' },
  'assessment.completed': {
    ...assessment,
    outcome: 'string',
    narrative: 'string',
    indicatorResults: 'objects',
    requiredActions: 'strings',
    followUpAssessmentId: 'uuid?',
  },
  'assessment.rescheduled': { ...assessment, previousDueAt: 'datetime', dueAt: 'datetime', reason: 'string' },
  'assessment.cancelled': { ...assessment, reason: 'string' },
  'assessment.cadence-changed': { programId: 'uuid', cadenceDays: 'int', previousCadenceDays: 'int' },
  'access.denied': {
    method: 'string',
    path: 'string',
    statusCode: 'int',
    code: 'string',
    reason: 'string',
    programId: 'uuid?',
  },
  'reference.restricted-party-added': { partyId: 'uuid', name: 'string', registrationId: 'string?', reason: 'string', source: 'string' },
  'reference.restricted-party-removed': { partyId: 'uuid', name: 'string', registrationId: 'string?', reason: 'string?' },
  'reference.priority-areas-changed': { country: 'string', areas: 'strings', previousAreas: 'strings' },
  'reference.threshold-changed': { name: 'string', amountCents: 'cents', previousAmountCents: 'cents' },
  'audit.republish-requested': { source: 'string', fromSeq: 'int', toSeq: 'int' },
};

export const EVENT_TYPES = Object.keys(PAYLOAD_SCHEMA) as EventType[];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const checks: Record<Kind, (v: unknown) => boolean> = {
  uuid: (v) => typeof v === 'string' && UUID.test(v),
  string: (v) => typeof v === 'string',
  int: (v) => Number.isSafeInteger(v),
  cents: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  date: (v) => typeof v === 'string' && DATE.test(v),
  datetime: (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
  object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  strings: (v) => Array.isArray(v) && v.every((s) => typeof s === 'string'),
  objects: (v) => Array.isArray(v) && v.every((o) => typeof o === 'object' && o !== null),
};

/** Returns the list of problems with a payload, empty when it matches its event type. */
export function payloadProblems(type: string, payload: unknown): string[] {
  const schema = (PAYLOAD_SCHEMA as Record<string, Record<string, FieldSpec>>)[type];
  if (!schema) return [`unknown event type ${type}`];
  if (typeof payload !== 'object' || payload === null) return ['payload is not an object'];
  const problems: string[] = [];
  for (const [field, spec] of Object.entries(schema)) {
    const value = (payload as Record<string, unknown>)[field];
    const optional = spec.endsWith('?');
    const kind = (optional ? spec.slice(0, -1) : spec) as Kind;
    if (value === null || value === undefined) {
      if (!optional) problems.push(`${field} is required`);
    } else if (!checks[kind](value)) {
      problems.push(`${field} must be ${kind}`);
    }
  }
  return problems;
}
