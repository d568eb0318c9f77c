import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the listing said of a restricted party (name, reason, source), from its event: finance and
 * grant managers cannot read the restricted list, yet must see why a program's funds are held.
 */
export class RestrictedPartyDetails1764300000220 implements MigrationInterface {
  name = 'RestrictedPartyDetails1764300000220';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE disbursements.restricted_parties ADD COLUMN name text, ADD COLUMN reason text, ADD COLUMN source text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE disbursements.restricted_parties DROP COLUMN name, DROP COLUMN reason, DROP COLUMN source`);
  }
}
