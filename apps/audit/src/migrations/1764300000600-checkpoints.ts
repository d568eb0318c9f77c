import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints of the ledger head. Kept beside the ledger, but trusted only through their
 * Ed25519 signature, which a database superuser cannot forge without the signing key.
 */
export class Checkpoints1764300000600 implements MigrationInterface {
  name = 'Checkpoints1764300000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit.checkpoints (
        id bigserial PRIMARY KEY,
        seq bigint NOT NULL,
        hash char(64) NOT NULL,
        signed_at text NOT NULL,
        signature text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ix_checkpoints_seq ON audit.checkpoints (seq DESC)`);
    // Every other filter of /audit/events has a (column, seq) index; source was missing.
    await q.query(`CREATE INDEX ix_ledger_source ON audit.ledger (source, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit.ix_ledger_source`);
    await q.query(`DROP TABLE audit.checkpoints`);
  }
}
