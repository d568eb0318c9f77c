import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Screening at payment time. An account keeps its partner's normalised name and registration id
 * (as reviews matches restricted parties), and this service keeps the restricted parties added or
 * removed since (their events), so a party listed after approval holds the program's funds.
 * Accounts opened before carry no keys and match nothing.
 */
export class PartnerScreening1764300000210 implements MigrationInterface {
  name = 'PartnerScreening1764300000210';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE disbursements.funding_accounts ADD COLUMN partner_name_key text, ADD COLUMN partner_registration_key text`);
    await q.query(`CREATE INDEX ix_funding_accounts_partner_name ON disbursements.funding_accounts (partner_name_key) WHERE status = 'OPEN'`);
    await q.query(
      `CREATE INDEX ix_funding_accounts_partner_registration ON disbursements.funding_accounts (partner_registration_key) WHERE status = 'OPEN'`,
    );
    await q.query(`
      CREATE TABLE disbursements.restricted_parties (
        party_id uuid PRIMARY KEY,
        name_key text,
        registration_key text,
        added_at timestamptz,
        removed_at timestamptz
      )`);
    await q.query(`CREATE INDEX ix_restricted_parties_name ON disbursements.restricted_parties (name_key) WHERE removed_at IS NULL`);
    await q.query(`CREATE INDEX ix_restricted_parties_registration ON disbursements.restricted_parties (registration_key) WHERE removed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE disbursements.restricted_parties`);
    await q.query(`DROP INDEX disbursements.ix_funding_accounts_partner_registration`);
    await q.query(`DROP INDEX disbursements.ix_funding_accounts_partner_name`);
    await q.query(`ALTER TABLE disbursements.funding_accounts DROP COLUMN partner_registration_key, DROP COLUMN partner_name_key`);
  }
}
