import { Injectable } from '@nestjs/common';
import type { EventEnvelope } from '#libs/contracts';
import { TransactionRunner } from '#libs/persistence';
import { chainEntry, toLedgerEntryContent, type LedgerEntry } from '../domain/ledger-hash.js';

/** Appends to the hash chain inside the caller's (inbox) transaction. */
@Injectable()
export class LedgerRepository {
  constructor(private readonly tx: TransactionRunner) {}

  append(envelope: EventEnvelope): Promise<LedgerEntry> {
    return this.tx.run(async (em) => {
      // Locking the head serialises appends: the sequence stays gapless and the chain linear.
      const [head] = (await em.query(`SELECT seq, hash FROM audit.ledger_head WHERE id = 1 FOR UPDATE`)) as Array<{
        seq: string;
        hash: string;
      }>;
      const seq = Number(head.seq) + 1;
      const entry = chainEntry(toLedgerEntryContent(envelope, seq, new Date()), head.hash);
      const payload = entry.payload as { programId?: unknown };
      const programId =
        typeof payload?.programId === 'string' ? payload.programId : entry.aggregateType === 'program' ? entry.aggregateId : null;
      await em.query(
        `INSERT INTO audit.ledger (seq, event_id, type, version, source, source_seq, aggregate_type, aggregate_id,
           aggregate_version, program_id, actor_id, actor, occurred_at, recorded_at, correlation_id, causation_id,
           payload, prev_hash, hash)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)`,
        [
          entry.seq,
          entry.eventId,
          entry.type,
          entry.version,
          entry.source,
          entry.sourceSeq,
          entry.aggregateType,
          entry.aggregateId,
          entry.aggregateVersion,
          programId,
          entry.actor.id,
          JSON.stringify(entry.actor),
          entry.occurredAt,
          entry.recordedAt,
          entry.correlationId,
          entry.causationId,
          JSON.stringify(entry.payload),
          entry.prevHash,
          entry.hash,
        ],
      );
      await em.query(`UPDATE audit.ledger_head SET seq = $1, hash = $2 WHERE id = 1`, [seq, entry.hash]);
      return entry;
    });
  }
}
