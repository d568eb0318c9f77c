import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A plan's next due date reads its program's SCHEDULED points. Without this index Postgres may
 * combine the status index with the program's (it did whenever statistics were missing), which
 * reads every scheduled point of every program: the cost grew with the whole portfolio.
 */
export class ScheduledPointsIndex1764300000320 implements MigrationInterface {
  name = 'ScheduledPointsIndex1764300000320';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX ix_points_scheduled_program_due ON assessments.points (program_id, due_at) WHERE status = 'SCHEDULED'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX assessments.ix_points_scheduled_program_due`);
  }
}
