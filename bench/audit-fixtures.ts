import type { EventEnvelope } from '#libs/contracts';

/** Programs the generated entries are spread over: each holds ledgerSize / PROGRAMS entries. */
export const BENCH_PROGRAMS = 10_000;

const hex12 = (n: number) => n.toString(16).padStart(12, '0');

export const benchProgramId = (p: number) => `0190f0c0-0000-7000-8000-${hex12(p % BENCH_PROGRAMS)}`;

/**
 * A valid `disbursement.requested` envelope for position `n` of a generated stream (sourceSeq n of
 * the disbursements source), about program n mod BENCH_PROGRAMS: a million of them put about a
 * hundred entries in each program's timeline.
 */
export function benchEnvelope(n: number): EventEnvelope {
  const disbursementId = `0190f0c0-0000-7000-a000-${hex12(n)}`;
  return {
    eventId: `0190f0c0-0000-7000-9000-${hex12(n)}`,
    type: 'disbursement.requested',
    version: 1,
    source: 'disbursements',
    sourceSeq: n,
    aggregateType: 'disbursement',
    aggregateId: disbursementId,
    aggregateVersion: 1,
    occurredAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
    actor: { id: 'gm-bench', name: 'Bench Manager', roles: ['grant_manager'], org: 'USAID' },
    correlationId: `bench-${n}`,
    causationId: null,
    payload: {
      disbursementId,
      programId: benchProgramId(n),
      amountCents: 10_000 + (n % 1000),
      purpose: 'Seeds, tools and "training" materials',
      requestedBy: 'gm-bench',
    },
  };
}
