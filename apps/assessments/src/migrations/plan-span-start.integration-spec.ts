import pg from 'pg';
import type { QueryRunner } from 'typeorm';
import { loadConfig } from '#libs/common';
import { databaseOptions } from '#libs/platform';
import { migrate } from '#libs/persistence';
import { createDatabase, dropDatabase, uniqueName } from '#libs/testing';
import { assessmentsService } from '../assessments.service.js';
import { AssessmentPlan, type AssessmentPlanState } from '../assessments/domain/assessment-plan.js';
import { PlanSpanStart1764300000330 } from './1764300000330-plan-span-start.js';

describe('migration PlanSpanStart: plans made before it keep the span they were laid out on', () => {
  const database = uniqueName('plan_span');
  let client: pg.Client;

  beforeAll(async () => {
    const url = await createDatabase(database);
    await migrate(databaseOptions(assessmentsService, loadConfig('assessments', process.env, { databaseUrl: url })));
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await dropDatabase(database);
  });

  async function addPlan(state: Record<string, unknown>): Promise<string> {
    const { rows } = await client.query(
      `INSERT INTO assessments.plans (program_id, status, version, indicators, state, created_at, updated_at)
       VALUES (gen_random_uuid(), 'ACTIVE', 1, '[]', $1, now(), now()) RETURNING program_id`,
      [state],
    );
    return rows[0].program_id as string;
  }

  async function stateOf(programId: string): Promise<AssessmentPlanState> {
    const { rows } = await client.query(`SELECT state FROM assessments.plans WHERE program_id = $1`, [programId]);
    return rows[0].state as AssessmentPlanState;
  }

  it('starts an older plan at its approval, as its points were laid out, and leaves a newer plan as it is', async () => {
    const old = { cadenceDays: 90, graceDays: 14, approvedAt: '2026-11-01T10:00:00.000Z', endAt: '2027-10-31T10:00:00.000Z', status: 'ACTIVE', closedAt: null, version: 1 };
    const olderId = await addPlan({ ...old, programId: 'older' });
    const newerId = await addPlan({ ...old, programId: 'newer', startAt: '2027-01-01T10:00:00.000Z' });

    await new PlanSpanStart1764300000330().up({ query: (sql: string, params?: unknown[]) => client.query(sql, params).then((r) => r.rows) } as unknown as QueryRunner);

    const older = AssessmentPlan.restore(await stateOf(olderId));
    expect(older.startAt.toISOString()).toBe(old.approvedAt);
    expect(older.endAt.toISOString()).toBe(old.endAt);
    expect((await stateOf(newerId)).startAt).toBe('2027-01-01T10:00:00.000Z');
  });
});
