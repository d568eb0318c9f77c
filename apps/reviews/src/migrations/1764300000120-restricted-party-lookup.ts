import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Opening a review looks the partner up by normalised name or registration id instead of reading
 * the whole restricted list; the name has its index already, the registration id gets one here.
 */
export class RestrictedPartyLookup1764300000120 implements MigrationInterface {
  name = 'RestrictedPartyLookup1764300000120';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX ix_restricted_parties_active_registration_id
        ON reviews.restricted_parties (normalised_registration_id)
        WHERE removed_at IS NULL AND normalised_registration_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX reviews.ix_restricted_parties_active_registration_id`);
  }
}
