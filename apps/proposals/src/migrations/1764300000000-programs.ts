import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Programs1764300000000 implements MigrationInterface {
  name = 'Programs1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE proposals.programs (
        id uuid PRIMARY KEY,
        status text NOT NULL,
        version integer NOT NULL,
        created_by text NOT NULL,
        title text NOT NULL,
        country text NOT NULL,
        pillar text NOT NULL,
        state jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_programs_status ON proposals.programs (status, id)`);
    await q.query(`CREATE INDEX ix_programs_country_pillar ON proposals.programs (country, pillar, id)`);
    await q.query(`CREATE INDEX ix_programs_created_by ON proposals.programs (created_by)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE proposals.programs`);
  }
}
