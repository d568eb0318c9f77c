import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each change of a country's priority areas is an event, whose aggregate version this counts. */
export class PriorityAreasVersion1764300000130 implements MigrationInterface {
  name = 'PriorityAreasVersion1764300000130';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews.priority_areas ADD COLUMN version integer NOT NULL DEFAULT 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reviews.priority_areas DROP COLUMN version`);
  }
}
