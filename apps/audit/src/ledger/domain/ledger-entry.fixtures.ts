import type { EventEnvelope } from '#libs/contracts';
import { chainEntry, GENESIS_HASH, toLedgerEntryContent, type LedgerEntry } from './ledger-hash.js';

/** Test data only: a deterministic envelope for ledger position `n`. */
export function envelopeFixture(n: number): EventEnvelope {
  const programId = `0190f0c0-0000-7000-8000-${String(n % 7).padStart(12, '0')}`;
  return {
    eventId: `0190f0c0-0000-7000-9000-${String(n).padStart(12, '0')}`,
    type: 'disbursement.requested',
    version: 1,
    source: 'disbursements',
    sourceSeq: n,
    aggregateType: 'disbursement',
    aggregateId: `0190f0c0-0000-7000-a000-${String(n).padStart(12, '0')}`,
    aggregateVersion: 1,
    occurredAt: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(),
    actor: { id: 'user-gm-1', name: 'Grace Manager', roles: ['grant_manager'], org: 'USAID' },
    correlationId: `corr-${n}`,
    causationId: n % 2 === 0 ? `cause-${n}` : null,
    payload: { disbursementId: `d-${n}`, programId, amountCents: 10_000 * n, purpose: 'Seeds, tools' },
  };
}

/** A valid chain of `count` entries, seq 1..count. */
export function buildChain(count: number): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const recordedAt = new Date(Date.UTC(2025, 0, 1) + seq * 1000 + 250);
    const entry = chainEntry(toLedgerEntryContent(envelopeFixture(seq), seq, recordedAt), prevHash);
    entries.push(entry);
    prevHash = entry.hash;
  }
  return entries;
}

/** Rewrites the chain from `entries[0]` on with fresh hashes, as someone with write access could. */
export function rehash(entries: LedgerEntry[], prevHash: string): LedgerEntry[] {
  return entries.map((entry) => {
    const rewritten = chainEntry(entry, prevHash);
    prevHash = rewritten.hash;
    return rewritten;
  });
}
