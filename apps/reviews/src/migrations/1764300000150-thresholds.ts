import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The thresholds admin keeps (high-value, dual-approval). A threshold without a row is still at
 * its configured default (HIGH_VALUE_THRESHOLD_CENTS, DUAL_APPROVAL_THRESHOLD_CENTS).
 */
export class Thresholds1764300000150 implements MigrationInterface {
  name = 'Thresholds1764300000150';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reviews.thresholds (
        name text CONSTRAINT pk_thresholds PRIMARY KEY,
        amount_cents bigint NOT NULL CONSTRAINT ck_thresholds_amount CHECK (amount_cents > 0),
        version integer NOT NULL,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reviews.thresholds`);
  }
}
