import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Who drafted the program and whom it funds, from program.approved: outcomes by either are refused. */
export class PlanProgramParties1764300000310 implements MigrationInterface {
  name = 'PlanProgramParties1764300000310';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE assessments.plans ADD COLUMN created_by text, ADD COLUMN partner_name text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE assessments.plans DROP COLUMN created_by, DROP COLUMN partner_name`);
  }
}
