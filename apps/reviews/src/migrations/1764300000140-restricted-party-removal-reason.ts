import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Why a party was taken off the list, when the admin said (optional in the API, kept with the row). */
export class RestrictedPartyRemovalReason1764300000140 implements MigrationInterface {
  name = 'RestrictedPartyRemovalReason1764300000140';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews.restricted_parties ADD COLUMN removed_reason text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews.restricted_parties DROP COLUMN removed_reason`);
  }
}
