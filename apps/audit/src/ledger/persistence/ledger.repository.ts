import { Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { DataSource } from 'typeorm';
import type { EventEnvelope } from '#libs/contracts';
import { Inbox } from '#libs/messaging';
import { planEachRun } from '#libs/persistence';
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
 * Reads the next accepted events, oldest first, with the head they chain after; it takes no lock,
 * as WRITE_BATCH moves the head by compare and set. Both are planned at each run: the intake
 * swings between empty and a backlog.
 */
const READ_BATCH = planEachRun(`
  SELECT i.id, i.envelope, h.seq AS head_seq, h.hash AS head_hash
  FROM audit.ledger_head h CROSS JOIN LATERAL (SELECT id, envelope FROM audit.ledger_intake ORDER BY id LIMIT $1) i
  WHERE h.id = 1 ORDER BY i.id`);

const COLUMNS = LEDGER_COLUMNS.length;
/**
 * Moves the head from the seq the batch was read at (compare and set) and, only if that succeeded,
 * appends the chained entries and empties their intake rows: one statement, so all or nothing.
 */
const WRITE_BATCH = planEachRun(`
  WITH head AS (
    UPDATE audit.ledger_head SET seq = $${COLUMNS + 2}, hash = $${COLUMNS + 3} WHERE id = 1 AND seq = $${COLUMNS + 4} RETURNING 1
  ), appended AS (
    INSERT INTO audit.ledger (${LEDGER_COLUMNS.map(([name]) => name).join(', ')})
    SELECT * FROM unnest(${LEDGER_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')}) WHERE EXISTS (SELECT 1 FROM head)
  ), chained AS (
    DELETE FROM audit.ledger_intake WHERE id = ANY($${COLUMNS + 1}::bigint[]) AND EXISTS (SELECT 1 FROM head)
  )
  SELECT count(*)::int AS moved FROM head`);

/** A lost compare and set means another chainer appended first: read again, a few times at most. */
const WRITE_ATTEMPTS = 5;

/**
 * Writes the ledger in two steps. `record` stores new events in the intake with their inbox rows,
 * taking no shared lock. `chainPending` appends a batch of accepted events to the chain: it reads
 * the batch and the head, hashes, then moves the head by compare and set in the statement that
 * appends the entries, so the sequence stays gapless and the chain linear across chainers and
 * replicas, with no lock held between the two round trips.
 */
@Injectable()
export class LedgerRepository {
  constructor(
    private readonly inbox: Inbox,
    private readonly dataSource: DataSource,
  ) {}

  /** Records the events not recorded before: inbox rows and intake in one statement. Returns, per event, whether it was new. */
  record(envelopes: readonly EventEnvelope[]): Promise<boolean[]> {
    return this.inbox.applyGroupInOneStatement(envelopes, (distinct) => ({
      sql: `INSERT INTO audit.ledger_intake (event_id, envelope)
            SELECT e.event_id, e.envelope FROM unnest($5::uuid[], $6::jsonb[]) WITH ORDINALITY AS e (event_id, envelope, n)
            JOIN fresh USING (event_id) ORDER BY e.n`,
      params: [distinct.map((e) => e.eventId), distinct.map((e) => JSON.stringify(e))],
    }));
  }

  /** Chains up to `limit` accepted events, oldest first; returns the entries appended. */
  async chainPending(limit: number): Promise<LedgerEntry[]> {
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      const pending = (await this.dataSource.query(READ_BATCH, [limit])) as Array<{ id: string; envelope: EventEnvelope; head_seq: string; head_hash: string }>;
      if (pending.length === 0) return [];
      const recordedAt = new Date();
      const headSeq = Number(pending[0].head_seq);
      let seq = headSeq;
      let prevHash = pending[0].head_hash;
      const entries = pending.map(({ envelope }) => {
        const entry = chainEntry(toLedgerEntryContent(envelope, ++seq, recordedAt), prevHash);
        prevHash = entry.hash;
        return entry;
      });
      const [{ moved }] = (await this.dataSource.query(WRITE_BATCH, [
        ...LEDGER_COLUMNS.map(([, , value]) => entries.map(value)),
        pending.map((p) => p.id),
        seq,
        prevHash,
        headSeq,
      ])) as Array<{ moved: number }>;
      if (moved === 1) return entries;
    }
    // Other chainers keep winning: they are chaining these events; the next kick or poll comes back.
    return [];
  }
}
