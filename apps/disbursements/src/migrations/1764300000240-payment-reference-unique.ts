import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A payment reference (the bank's wire or transfer number) names one payment: two releases
 * carrying the same one are a payment counted twice. The key is the reference as releases are
 * compared (see paymentReferenceKey). Releases already made keep their references; where two
 * share one, only the first holds the key, so the index can be built.
 */
export class PaymentReferenceUnique1764300000240 implements MigrationInterface {
  name = 'PaymentReferenceUnique1764300000240';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE disbursements.disbursements ADD COLUMN payment_reference_key text`);
    await q.query(`
      UPDATE disbursements.disbursements d SET payment_reference_key = first.key
        FROM (SELECT DISTINCT ON (key) id, key
                FROM (SELECT id, updated_at, upper(regexp_replace(state->'release'->>'paymentReference', '\\s', '', 'g')) AS key
                        FROM disbursements.disbursements WHERE status = 'RELEASED') released
               ORDER BY key, updated_at, id) first
       WHERE d.id = first.id`);
    await q.query(
      `CREATE UNIQUE INDEX uq_disbursements_payment_reference ON disbursements.disbursements (payment_reference_key) WHERE payment_reference_key IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX disbursements.uq_disbursements_payment_reference`);
    await q.query(`ALTER TABLE disbursements.disbursements DROP COLUMN payment_reference_key`);
  }
}
