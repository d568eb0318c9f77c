import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Opening a review looks the partner up by normalised name or registration id instead of reading
 * the whole restricted list: the name has its index already, the registration id gets one here.
 * The check also names how many parties the active list holds; a trigger keeps that count, so
 * reading it costs the same for any list and stays right whoever writes the rows (the admin API
 * or a bulk import of a sanctions list).
 */
export class RestrictedPartyLookup1764300000120 implements MigrationInterface {
  name = 'RestrictedPartyLookup1764300000120';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX ix_restricted_parties_active_registration_id
        ON reviews.restricted_parties (normalised_registration_id)
        WHERE removed_at IS NULL AND normalised_registration_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE reviews.restricted_list_size (
        singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT ck_restricted_list_size_singleton CHECK (singleton),
        active integer NOT NULL
      )`);
    await q.query(`INSERT INTO reviews.restricted_list_size (active) SELECT count(*) FROM reviews.restricted_parties WHERE removed_at IS NULL`);
    await q.query(`
      CREATE FUNCTION reviews.count_active_restricted_parties() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        delta integer := 0;
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          UPDATE reviews.restricted_list_size SET active = 0;
          RETURN NULL;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.removed_at IS NULL THEN delta := delta + 1; END IF;
        IF TG_OP <> 'INSERT' AND OLD.removed_at IS NULL THEN delta := delta - 1; END IF;
        IF delta <> 0 THEN
          UPDATE reviews.restricted_list_size SET active = active + delta;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER tr_restricted_parties_active_count
        AFTER INSERT OR DELETE OR UPDATE OF removed_at ON reviews.restricted_parties
        FOR EACH ROW EXECUTE FUNCTION reviews.count_active_restricted_parties()`);
    await q.query(`
      CREATE TRIGGER tr_restricted_parties_truncated
        AFTER TRUNCATE ON reviews.restricted_parties
        FOR EACH STATEMENT EXECUTE FUNCTION reviews.count_active_restricted_parties()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tr_restricted_parties_truncated ON reviews.restricted_parties`);
    await q.query(`DROP TRIGGER tr_restricted_parties_active_count ON reviews.restricted_parties`);
    await q.query(`DROP FUNCTION reviews.count_active_restricted_parties()`);
    await q.query(`DROP TABLE reviews.restricted_list_size`);
    await q.query(`DROP INDEX reviews.ix_restricted_parties_active_registration_id`);
  }
}
