import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Funding1764300000200 implements MigrationInterface {
  name = 'Funding1764300000200';

  async up(q: QueryRunner): Promise<void> {
    // The money columns mirror the jsonb state so the database itself refuses an overdrawn budget.
    await q.query(`
      CREATE TABLE disbursements.funding_accounts (
        program_id uuid PRIMARY KEY,
        status text NOT NULL,
        version integer NOT NULL,
        budget_cents bigint NOT NULL,
        reserved_cents bigint NOT NULL,
        released_cents bigint NOT NULL,
        state jsonb NOT NULL,
        opened_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT ck_funding_accounts_money CHECK (
          budget_cents >= 0 AND reserved_cents >= 0 AND released_cents >= 0
          AND reserved_cents + released_cents <= budget_cents
        )
      )`);
    await q.query(`
      CREATE TABLE disbursements.disbursements (
        id uuid PRIMARY KEY,
        program_id uuid NOT NULL REFERENCES disbursements.funding_accounts (program_id),
        status text NOT NULL,
        version integer NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        requested_by text NOT NULL,
        idempotency_key text,
        state jsonb NOT NULL,
        requested_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_disbursements_program ON disbursements.disbursements (program_id, id)`);
    await q.query(`CREATE INDEX ix_disbursements_status ON disbursements.disbursements (status, id)`);
    await q.query(`
      CREATE UNIQUE INDEX uq_disbursements_idempotency_key ON disbursements.disbursements (program_id, idempotency_key)
      WHERE idempotency_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE disbursements.disbursements`);
    await q.query(`DROP TABLE disbursements.funding_accounts`);
  }
}
