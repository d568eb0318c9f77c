import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Assessments1764300000300 implements MigrationInterface {
  name = 'Assessments1764300000300';

  async up(q: QueryRunner): Promise<void> {
    // One plan per program: a second program.approved (redelivery, second instance) finds it and stops.
    await q.query(`
      CREATE TABLE assessments.plans (
        program_id uuid PRIMARY KEY,
        status text NOT NULL,
        version integer NOT NULL,
        indicators jsonb NOT NULL,
        state jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE assessments.points (
        id uuid PRIMARY KEY,
        program_id uuid NOT NULL REFERENCES assessments.plans (program_id),
        sequence integer,
        kind text NOT NULL,
        status text NOT NULL,
        due_at timestamptz NOT NULL,
        overdue_at timestamptz NOT NULL,
        version integer NOT NULL,
        state jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // Ad-hoc and follow-up points have no sequence; NULLs never collide.
    await q.query(`CREATE UNIQUE INDEX ux_points_program_sequence ON assessments.points (program_id, sequence)`);
    await q.query(`CREATE INDEX ix_points_program_due ON assessments.points (program_id, due_at, id)`);
    await q.query(`CREATE INDEX ix_points_status_due ON assessments.points (status, due_at, id)`);
    await q.query(`CREATE INDEX ix_points_due ON assessments.points (due_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE assessments.points`);
    await q.query(`DROP TABLE assessments.plans`);
  }
}
