import type pg from 'pg';
import { migratedDatabase, type MigratedDatabase } from '#libs/testing';
import { assessmentsService } from '../assessments.service.js';
import { NEXT_DUE_SQL } from '../assessments/persistence/assessment.repository.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}

const indexesOf = (node: PlanNode): string[] => [
  ...(node['Index Name'] ? [node['Index Name']] : []),
  ...(node.Plans ?? []).flatMap(indexesOf),
];

/**
 * A plan's next due date is read on every plan view and cadence change. Before the index, with no
 * statistics yet (a new database, autovacuum off), Postgres combined the status index with the
 * program's and read every scheduled point of the portfolio.
 */
describe('migration ScheduledPointsIndex: a plan\'s next due date reads only its own program\'s points', () => {
  let db: MigratedDatabase;
  const programs = 400;
  const pointsEach = 6;
  let client: pg.Client;

  beforeAll(async () => {
    db = await migratedDatabase(assessmentsService, 'next_due');
    client = db.client;
    await client.query(
      `INSERT INTO assessments.plans (program_id, status, version, indicators, state, created_at, updated_at)
       SELECT gen_random_uuid(), 'ACTIVE', 1, '[]', '{}', now(), now() FROM generate_series(1, $1)`,
      [programs],
    );
    await client.query(
      `INSERT INTO assessments.points (id, program_id, sequence, kind, status, due_at, overdue_at, version, state, created_at, updated_at)
       SELECT gen_random_uuid(), p.program_id, s, 'PLANNED', CASE WHEN s = 1 THEN 'COMPLETED' ELSE 'SCHEDULED' END,
              now() + make_interval(days => s * 90), now() + make_interval(days => s * 90 + 30), 1, '{}', now(), now()
       FROM assessments.plans p CROSS JOIN generate_series(1, $1) s`,
      [pointsEach],
    );
  });
  afterAll(() => db?.drop());

  it('answers the earliest scheduled point from the partial index, touching a handful of pages', async () => {
    const { rows } = await client.query(`SELECT program_id FROM assessments.plans LIMIT 1`);
    const programId = rows[0].program_id as string;
    const explained = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${NEXT_DUE_SQL}`, [programId]);
    const plan = (explained.rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0].Plan;

    expect(indexesOf(plan)).toEqual(['ix_points_scheduled_program_due']);
    // The status index alone would hold 400 × 5 scheduled points, many pages of them.
    expect(plan['Shared Hit Blocks'] + plan['Shared Read Blocks']).toBeLessThan(10);

    const [answer] = (await client.query(NEXT_DUE_SQL, [programId])).rows as Array<{ next: Date }>;
    const [expected] = (
      await client.query(
        `SELECT due_at FROM assessments.points WHERE program_id = $1 AND status = 'SCHEDULED' ORDER BY due_at LIMIT 1`,
        [programId],
      )
    ).rows as Array<{ due_at: Date }>;
    expect(answer.next).toEqual(expected.due_at);
  });
});
