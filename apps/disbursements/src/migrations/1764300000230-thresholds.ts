import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The thresholds admin set (reference.threshold-changed), as far as they have arrived: the
 * dual-approval one decides how many approvers a new request needs. Without a row the configured
 * default (DUAL_APPROVAL_THRESHOLD_CENTS) applies.
 */
export class Thresholds1764300000230 implements MigrationInterface {
  name = 'Thresholds1764300000230';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE disbursements.thresholds (
        name text CONSTRAINT pk_thresholds PRIMARY KEY,
        amount_cents bigint NOT NULL,
        version integer NOT NULL,
        changed_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE disbursements.thresholds`);
  }
}
