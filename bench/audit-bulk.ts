import type pg from 'pg';
import { chainEntry, toLedgerEntryContent, toStoredEntry } from '../apps/audit/src/ledger/domain/ledger-hash.js';
import { benchEnvelope, benchProgramId } from './audit-fixtures.js';

const BATCH = 5000;

/**
 * Appends generated entries up to `targetSeq` straight into audit.ledger, chained with the
 * domain's chainEntry from the current head: the same rows the consumer would write, without
 * the queue. Nothing is disabled; the triggers refuse only UPDATE/DELETE/TRUNCATE of the ledger.
 */
export async function bulkAppend(client: pg.Client, targetSeq: number): Promise<void> {
  const [head] = (await client.query(`SELECT seq, hash FROM audit.ledger_head WHERE id = 1`)).rows as Array<{ seq: string; hash: string }>;
  let seq = Number(head.seq);
  let prevHash = head.hash;
  // Generated sourceSeqs continue after the highest already recorded, so the source stays gapless.
  const [{ max }] = (await client.query(`SELECT coalesce(max(source_seq), 0) AS max FROM audit.ledger WHERE source = 'disbursements'`))
    .rows as Array<{ max: string }>;
  let sourceSeq = Number(max);
  const recordedAt = Date.UTC(2026, 0, 2);
  while (seq < targetSeq) {
    const columns: unknown[][] = Array.from({ length: 16 }, () => []);
    for (let i = 0; i < BATCH && seq < targetSeq; i++) {
      seq++;
      sourceSeq++;
      const chained = chainEntry(toLedgerEntryContent(benchEnvelope(sourceSeq), seq, new Date(recordedAt + seq)), prevHash);
      const entry = toStoredEntry(chained);
      prevHash = entry.hash;
      [
        entry.seq,
        entry.eventId,
        entry.sourceSeq,
        entry.aggregateId,
        benchProgramId(sourceSeq),
        chained.actor.id,
        entry.actor,
        entry.occurredAt,
        entry.recordedAt,
        entry.correlationId,
        entry.payload,
        entry.prevHash,
        entry.hash,
        entry.type,
        entry.source,
        entry.aggregateType,
      ].forEach((value, c) => columns[c].push(value));
    }
    await client.query(
      `INSERT INTO audit.ledger (seq, event_id, source_seq, aggregate_id, program_id, actor_id, actor, occurred_at, recorded_at,
         correlation_id, payload, prev_hash, hash, type, source, aggregate_type, version, aggregate_version, causation_id)
       SELECT *, 1, 1, NULL FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::text[], $5::uuid[], $6::text[], $7::text[],
         $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])`,
      columns,
    );
    await client.query(`UPDATE audit.ledger_head SET seq = $1, hash = $2 WHERE id = 1`, [seq, prevHash]);
  }
}
