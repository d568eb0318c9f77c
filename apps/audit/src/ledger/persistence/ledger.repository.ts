import { Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { DataSource } from 'typeorm';
import type { EventEnvelope } from '#libs/contracts';
import { TransactionRunner } from '#libs/persistence';
import { chainEntry, toLedgerEntryContent, type LedgerEntry } from '../domain/ledger-hash.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The program an entry is about, for the timeline: its payload's programId, or the program itself. */
function programIdOf(entry: LedgerEntry): string | null {
  const programId = (entry.payload as { programId?: unknown } | null)?.programId;
  if (typeof programId === 'string' && UUID.test(programId)) return programId;
  return entry.aggregateType === 'program' && UUID.test(entry.aggregateId) ? entry.aggregateId : null;
}

/** Ledger columns and how each comes from an entry, for one multi-row insert per batch. */
const LEDGER_COLUMNS: ReadonlyArray<readonly [string, string, (e: LedgerEntry) => unknown]> = [
  ['seq', 'bigint', (e) => e.seq],
  ['event_id', 'uuid', (e) => e.eventId],
  ['type', 'text', (e) => e.type],
  ['version', 'integer', (e) => e.version],
  ['source', 'text', (e) => e.source],
  ['source_seq', 'bigint', (e) => e.sourceSeq],
  ['aggregate_type', 'text', (e) => e.aggregateType],
  ['aggregate_id', 'text', (e) => e.aggregateId],
  ['aggregate_version', 'integer', (e) => e.aggregateVersion],
  ['program_id', 'uuid', programIdOf],
  ['actor_id', 'text', (e) => e.actor.id],
  // Actor and payload as their RFC 8785 text: the bytes the entry's hash covers (see StoredLedgerContent).
  ['actor', 'text', (e) => canonicalize(e.actor)],
  ['occurred_at', 'text', (e) => e.occurredAt],
  ['recorded_at', 'text', (e) => e.recordedAt],
  ['correlation_id', 'text', (e) => e.correlationId],
  ['causation_id', 'text', (e) => e.causationId],
  ['payload', 'text', (e) => canonicalize(e.payload)],
  ['prev_hash', 'text', (e) => e.prevHash],
  ['hash', 'text', (e) => e.hash],
];

/**
 * Takes the next accepted events and moves the head past them: the head row's lock is held until
 * commit and RETURNING gives the seq the batch ends at and the hash it chains after. SKIP LOCKED:
 * a second chainer takes the next batch and then waits for the head.
 */
const CLAIM_BATCH = `
  WITH pending AS (
    SELECT id, envelope FROM audit.ledger_intake ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
  ), head AS (
    UPDATE audit.ledger_head SET seq = seq + (SELECT count(*) FROM pending)
    WHERE id = 1 AND EXISTS (SELECT 1 FROM pending)
    RETURNING seq, hash
  )
  SELECT pending.id, pending.envelope, head.seq AS head_seq, head.hash AS head_hash
  FROM pending CROSS JOIN head ORDER BY pending.id`;

/** Appends the chained entries, empties their intake rows and moves the head's hash: one statement. */
const WRITE_BATCH = `
  WITH appended AS (
    INSERT INTO audit.ledger (${LEDGER_COLUMNS.map(([name]) => name).join(', ')})
    SELECT * FROM unnest(${LEDGER_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
  ), chained AS (
    DELETE FROM audit.ledger_intake WHERE id = ANY($${LEDGER_COLUMNS.length + 1}::bigint[])
  )
  UPDATE audit.ledger_head SET hash = $${LEDGER_COLUMNS.length + 2} WHERE id = 1`;

/**
 * Writes the ledger in two steps. `accept` stores an event in the intake, inside the consumer's
 * inbox transaction, taking no shared lock. `chainPending` appends a batch of accepted events to
 * the chain in one transaction: the head row's lock serialises batches (also across replicas),
 * so the sequence stays gapless and the chain linear, and it is held once per batch.
 */
@Injectable()
export class LedgerRepository {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly dataSource: DataSource,
  ) {}

  /** Stores accepted events in the intake with one insert. */
  accept(envelopes: readonly EventEnvelope[]): Promise<void> {
    return this.tx.run(async (em) => {
      await em.query(`INSERT INTO audit.ledger_intake (event_id, envelope) SELECT * FROM unnest($1::uuid[], $2::jsonb[])`, [
        envelopes.map((e) => e.eventId),
        envelopes.map((e) => JSON.stringify(e)),
      ]);
    });
  }

  /** Chains up to `limit` accepted events, oldest first; returns the entries appended. */
  chainPending(limit: number): Promise<LedgerEntry[]> {
    return this.dataSource.transaction(async (em) => {
      const pending = (await em.query(CLAIM_BATCH, [limit])) as Array<{ id: string; envelope: EventEnvelope; head_seq: string; head_hash: string }>;
      if (pending.length === 0) return [];
      const recordedAt = new Date();
      let seq = Number(pending[0].head_seq) - pending.length;
      let prevHash = pending[0].head_hash;
      const entries = pending.map(({ envelope }) => {
        const entry = chainEntry(toLedgerEntryContent(envelope, ++seq, recordedAt), prevHash);
        prevHash = entry.hash;
        return entry;
      });
      await em.query(WRITE_BATCH, [...LEDGER_COLUMNS.map(([, , value]) => entries.map(value)), pending.map((p) => p.id), prevHash]);
      return entries;
    });
  }
}
