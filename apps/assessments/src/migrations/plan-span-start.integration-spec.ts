import type { QueryRunner } from 'typeorm';
import { migratedDatabase, type MigratedDatabase } from '#libs/testing';
import { assessmentsService } from '../assessments.service.js';
import { AssessmentPlan, type AssessmentPlanState } from '../assessments/domain/assessment-plan.js';
import { PlanSpanStart1764300000330 } from './1764300000330-plan-span-start.js';

describe('migration PlanSpanStart: plans made before it keep the span they were laid out on', () => {
  let db: MigratedDatabase;

  beforeAll(async () => {
    db = await migratedDatabase(assessmentsService, 'plan_span');
  });
  afterAll(() => db?.drop());

  async function addPlan(state: Record<string, unknown>): Promise<string> {
    const rows = await db.sql<{ program_id: string }>(
      `INSERT INTO assessments.plans (program_id, status, version, indicators, state, created_at, updated_at)
       VALUES (gen_random_uuid(), 'ACTIVE', 1, '[]', $1, now(), now()) RETURNING program_id`,
      [state],
    );
    return rows[0].program_id;
  }

  async function stateOf(programId: string): Promise<AssessmentPlanState> {
    const [row] = await db.sql<{ state: AssessmentPlanState }>(`SELECT state FROM assessments.plans WHERE program_id = $1`, [programId]);
    return row.state;
  }

  it('starts an older plan at its approval, as its points were laid out, and leaves a newer plan as it is', async () => {
    const old = { cadenceDays: 90, graceDays: 14, approvedAt: '2026-11-01T10:00:00.000Z', endAt: '2027-10-31T10:00:00.000Z', status: 'ACTIVE', closedAt: null, version: 1 };
    const olderId = await addPlan({ ...old, programId: 'older' });
    const newerId = await addPlan({ ...old, programId: 'newer', startAt: '2027-01-01T10:00:00.000Z' });

    await new PlanSpanStart1764300000330().up({ query: db.sql } as unknown as QueryRunner);

    const older = AssessmentPlan.restore(await stateOf(olderId));
    expect(older.startAt.toISOString()).toBe(old.approvedAt);
    expect(older.endAt.toISOString()).toBe(old.endAt);
    expect((await stateOf(newerId)).startAt).toBe('2027-01-01T10:00:00.000Z');
  });
});
