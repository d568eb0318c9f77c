import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Plans now keep where their span starts (`startAt`: the later of the approval and the program's
 * start). Plans made before laid their points out from the approval, so that is their start: the
 * points they have keep their dates, and a later cadence change lays the new ones out the same way.
 */
export class PlanSpanStart1764300000330 implements MigrationInterface {
  name = 'PlanSpanStart1764300000330';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE assessments.plans SET state = state || jsonb_build_object('startAt', state->'approvedAt') WHERE NOT state ? 'startAt'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE assessments.plans SET state = state - 'startAt'`);
  }
}
