import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reference data changes have no event in DOMAIN.md's catalogue, so who changed what and when is
 * kept in the rows: a removed restricted party stays, marked with who removed it and when.
 */
export class ReferenceDataHistory1764300000110 implements MigrationInterface {
  name = 'ReferenceDataHistory1764300000110';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews.restricted_parties ADD COLUMN removed_by text, ADD COLUMN removed_at timestamptz`);
    // One active entry per party: the same name with the same (or no) registration id is a duplicate.
    await q.query(`
      CREATE UNIQUE INDEX uq_restricted_parties_active
        ON reviews.restricted_parties (normalised_name, coalesce(normalised_registration_id, ''))
        WHERE removed_at IS NULL`);
    await q.query(`
      CREATE TABLE reviews.withdrawn_programs (
        program_id uuid PRIMARY KEY,
        reason text NOT NULL,
        withdrawn_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reviews.withdrawn_programs`);
    await q.query(`DROP INDEX reviews.uq_restricted_parties_active`);
    await q.query(`ALTER TABLE reviews.restricted_parties DROP COLUMN removed_by, DROP COLUMN removed_at`);
  }
}
