import type {
  AssessmentStatus,
  Country,
  DisbursementStatus,
  Pillar,
  ProgramStatus,
  ReviewDecision,
  ReviewStatus,
} from '../lib/reference';
import { apiDownload, apiRequest, type Query } from './client';
import type {
  AssessmentPlan,
  AssessmentPoint,
  AuditEntry,
  AuditFilter,
  AuditVerification,
  Disbursement,
  FundingAccount,
  OutcomeInput,
  Page,
  Person,
  PriorityAreas,
  Program,
  ProgramInput,
  RestrictedParty,
  RestrictedPartyInput,
  Review,
  Threshold,
} from './types';

const id = (value: string) => encodeURIComponent(value);
/**
 * For what a service opens on another's event (a program's funding account and assessment plan
 * open an event after its approval): the read asks to be held until it exists (`Prefer: wait`),
 * rather than answer 404 in that moment. What exists is answered at once.
 */
const UNTIL_OPENED = { headers: { Prefer: 'wait=5' } };

/** Follows `nextCursor` for views that need the whole set (charts, queues), up to a bound. */
async function all<T>(path: string, query: Query, maxPages = 10): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page += 1) {
    const body: Page<T> = await apiRequest<Page<T>>('GET', path, { query: { ...query, limit: 500, cursor } });
    out.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return out;
}

export interface ProgramFilter {
  status?: ProgramStatus;
  country?: Country | '';
  pillar?: Pillar | '';
  q?: string;
  createdBy?: string;
  limit?: number;
  cursor?: string | null;
}

export const api = {
  people: () => apiRequest<Person[]>('GET', '/console/people', { anonymous: true }),

  programs: {
    page: (filter: ProgramFilter) => apiRequest<Page<Program>>('GET', '/programs', { query: { ...filter } }),
    all: (filter: Omit<ProgramFilter, 'limit' | 'cursor'> = {}) => all<Program>('/programs', { ...filter }),
    get: (programId: string) => apiRequest<Program>('GET', `/programs/${id(programId)}`),
    create: (input: ProgramInput) => apiRequest<Program>('POST', '/programs', { body: input }),
    revise: (programId: string, input: Partial<ProgramInput>, expectedVersion: number) =>
      apiRequest<Program>('PATCH', `/programs/${id(programId)}`, { body: { ...input, expectedVersion } }),
    submit: (programId: string) => apiRequest<Program>('POST', `/programs/${id(programId)}/submit`, { body: {} }),
    command: (programId: string, command: 'withdraw' | 'suspend' | 'reinstate' | 'close', reason: string) =>
      apiRequest<Program>('POST', `/programs/${id(programId)}/${command}`, { body: { reason } }),
  },

  reviews: {
    list: (query: { programId?: string; status?: ReviewStatus }) => all<Review>('/reviews', query, 2),
    get: (reviewId: string) => apiRequest<Review>('GET', `/reviews/${id(reviewId)}`),
    decide: (reviewId: string, decision: ReviewDecision, rationale: string) =>
      apiRequest<Review>('POST', `/reviews/${id(reviewId)}/decisions`, { body: { decision, rationale } }),
  },

  restrictedParties: {
    /** Alphabetical; `q` finds a name or registration id as the check compares them. */
    page: (q: string, limit: number) => apiRequest<Page<RestrictedParty>>('GET', '/restricted-parties', { query: { q, limit } }),
    add: (input: RestrictedPartyInput) => apiRequest<RestrictedParty>('POST', '/restricted-parties', { body: input }),
    remove: (partyId: string, reason: string) => apiRequest<void>('DELETE', `/restricted-parties/${id(partyId)}`, { body: { reason } }),
  },

  priorityAreas: {
    get: (country: Country) => apiRequest<PriorityAreas>('GET', `/priority-areas/${id(country)}`),
    /** Replaces the list only if it is still at `expectedVersion`, the version the admin edited. */
    put: (country: Country, areas: string[], expectedVersion: number) =>
      apiRequest<PriorityAreas>('PUT', `/priority-areas/${id(country)}`, { body: { areas, expectedVersion } }),
  },

  thresholds: {
    list: async () => (await apiRequest<Page<Threshold>>('GET', '/thresholds')).items,
    /** Sets the amount only if the threshold is still at `expectedVersion`, the version the admin read. */
    put: (threshold: Threshold, amountCents: number) =>
      apiRequest<Threshold>('PUT', `/thresholds/${id(threshold.name)}`, { body: { amountCents, expectedVersion: threshold.version } }),
  },

  funding: {
    account: (programId: string) => apiRequest<FundingAccount>('GET', `/funding-accounts/${id(programId)}`, UNTIL_OPENED),
    /** Every account, a page of 500 at a time: one read for a portfolio, not one per program. */
    accounts: () => all<FundingAccount>('/funding-accounts', {}),
  },

  disbursements: {
    get: (disbursementId: string) => apiRequest<Disbursement>('GET', `/disbursements/${id(disbursementId)}`),
    /** Lists may leave out who approved; the single read carries `approvals`, so it is fetched where missing. */
    list: async (query: { programId?: string; status?: DisbursementStatus }) => {
      const list = await all<Disbursement>('/disbursements', query, 4);
      return Promise.all(list.map((d) => (d.approvals ? d : apiRequest<Disbursement>('GET', `/disbursements/${id(d.id)}`))));
    },
    request: (input: { programId: string; amountCents: number; purpose: string }, idempotencyKey: string) =>
      apiRequest<Disbursement>('POST', '/disbursements', { body: input, headers: { 'Idempotency-Key': idempotencyKey } }),
    approve: (disbursementId: string, comment?: string) =>
      apiRequest<Disbursement>('POST', `/disbursements/${id(disbursementId)}/approve`, { body: comment ? { comment } : {} }),
    reject: (disbursementId: string, reason: string) =>
      apiRequest<Disbursement>('POST', `/disbursements/${id(disbursementId)}/reject`, { body: { reason } }),
    release: (disbursementId: string, paymentReference: string) =>
      apiRequest<Disbursement>('POST', `/disbursements/${id(disbursementId)}/release`, { body: { paymentReference } }),
    cancel: (disbursementId: string, reason: string) =>
      apiRequest<Disbursement>('POST', `/disbursements/${id(disbursementId)}/cancel`, { body: { reason } }),
  },

  assessments: {
    list: (query: { programId?: string; status?: AssessmentStatus; dueBefore?: string }) =>
      all<AssessmentPoint>('/assessments', query, 4),
    plan: (programId: string) => apiRequest<AssessmentPlan>('GET', `/assessments/plans/${id(programId)}`, UNTIL_OPENED),
    setCadence: (programId: string, cadenceDays: number) =>
      apiRequest<AssessmentPlan>('PUT', `/assessments/plans/${id(programId)}`, { body: { cadenceDays } }),
    trigger: (programId: string, reason: string) =>
      apiRequest<AssessmentPoint>('POST', '/assessments', { body: { programId, reason } }),
    reschedule: (assessmentId: string, dueAt: string, reason: string) =>
      apiRequest<AssessmentPoint>('POST', `/assessments/${id(assessmentId)}/reschedule`, { body: { dueAt, reason } }),
    recordOutcome: (assessmentId: string, input: OutcomeInput) =>
      apiRequest<AssessmentPoint>('POST', `/assessments/${id(assessmentId)}/outcome`, { body: input }),
  },

  audit: {
    /** Newest first (`cursor` continues with older entries), or in seq order (`after`). */
    events: (filter: AuditFilter, cursor: string | null, limit: number, newestFirst: boolean) =>
      apiRequest<Page<AuditEntry>>('GET', '/audit/events', { query: newestFirst ? { ...filter, order: 'desc', cursor, limit } : { ...filter, after: cursor, limit } }),
    /** The whole timeline, page after page (`after` = the previous page's nextCursor). */
    timeline: async (programId: string, maxPages = 10) => {
      const entries: AuditEntry[] = [];
      let after: string | null = null;
      for (let page = 0; page < maxPages; page += 1) {
        const body: Page<AuditEntry> = await apiRequest<Page<AuditEntry>>('GET', `/audit/programs/${id(programId)}/timeline`, { query: { after } });
        entries.push(...body.items);
        after = body.nextCursor;
        if (!after) break;
      }
      return entries;
    },
    verify: () => apiRequest<AuditVerification>('GET', '/audit/verify'),
    export: (format: 'ndjson' | 'csv', filter: AuditFilter) =>
      apiDownload('/audit/export', { ...filter, format }, `cuentas-audit-${new Date().toISOString().slice(0, 19)}.${format}`),
    /** The newest signed checkpoints and their public key, to verify an export away from Cuentas. */
    checkpoints: () => apiDownload('/audit/checkpoints', { limit: 500 }, `cuentas-checkpoints-${new Date().toISOString().slice(0, 19)}.json`),
  },
};
