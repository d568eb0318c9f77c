import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_APP_ROLE } from './1764300000700-audit-app-role.js';

/**
 * Events accepted but not yet chained. Consumers only insert here, in their inbox transaction,
 * without waiting for the head; the chainer then appends them to the ledger in batches, so the
 * head's lock is held once per batch (one commit, one fsync) instead of once per event.
 */
export class LedgerIntake1764300000800 implements MigrationInterface {
  name = 'LedgerIntake1764300000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit.ledger_intake (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL,
        envelope jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_ledger_intake_event_id UNIQUE (event_id)
      )`);
    // UPDATE only because the chainer claims rows with SELECT ... FOR UPDATE, which requires it.
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON audit.ledger_intake TO ${AUDIT_APP_ROLE}`);
    await q.query(`GRANT USAGE ON SEQUENCE audit.ledger_intake_id_seq TO ${AUDIT_APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit.ledger_intake`);
  }
}
