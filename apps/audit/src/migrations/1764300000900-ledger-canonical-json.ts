import canonicalize from 'canonicalize';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const BATCH = 5000;

/**
 * Ledger actor and payload become text holding their RFC 8785 JSON: the exact bytes the entry's
 * hash covers, so the verifier hashes them as stored instead of parsing and re-serializing two
 * objects per entry. What the API serves is parsed from the same text, so it is what was hashed.
 */
export class LedgerCanonicalJson1764300000900 implements MigrationInterface {
  name = 'LedgerCanonicalJson1764300000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit.ledger ALTER COLUMN actor TYPE text USING actor::text, ALTER COLUMN payload TYPE text USING payload::text`);
    // jsonb's text (keys by length, spaces) is not RFC 8785: earlier rows are rewritten as the
    // canonical text of the same JSON, which leaves every hash as it was. Only this migration's
    // transaction suspends the append-only trigger, and verification afterwards proves nothing changed.
    await q.query(`ALTER TABLE audit.ledger DISABLE TRIGGER trg_ledger_no_update_delete`);
    for (let after = 0; ; ) {
      const rows = (await q.query(`SELECT seq, actor, payload FROM audit.ledger WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, BATCH])) as Array<{
        seq: string;
        actor: string;
        payload: string;
      }>;
      if (rows.length === 0) break;
      await q.query(
        `UPDATE audit.ledger l SET actor = v.actor, payload = v.payload
         FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(seq, actor, payload) WHERE l.seq = v.seq`,
        [rows.map((r) => r.seq), rows.map((r) => canonicalize(JSON.parse(r.actor))), rows.map((r) => canonicalize(JSON.parse(r.payload)))],
      );
      after = Number(rows[rows.length - 1].seq);
    }
    await q.query(`ALTER TABLE audit.ledger ENABLE TRIGGER trg_ledger_no_update_delete`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit.ledger ALTER COLUMN actor TYPE jsonb USING actor::jsonb, ALTER COLUMN payload TYPE jsonb USING payload::jsonb`);
  }
}
