import { TEST_ADMIN_DATABASE_URL } from '#libs/testing';
import pg from 'pg';
import { ErrorTolerantClient, PreparingClient, planEachRun } from './preparing-client.js';

/** Against the real server: pg_prepared_statements lists what this session has prepared. */
describe('PreparingClient', () => {
  let client: PreparingClient;
  beforeEach(async () => {
    client = new PreparingClient({ connectionString: TEST_ADMIN_DATABASE_URL });
    await client.connect();
  });
  afterEach(() => client.end());

  const prepared = async () =>
    ((await client.query('SELECT statement FROM pg_prepared_statements ORDER BY statement')).rows as Array<{ statement: string }>).map((r) => r.statement);

  it('prepares a parameterised statement once and runs it again by name with new values', async () => {
    const text = 'SELECT $1::int + 1 AS n';
    expect((await client.query(text, [1])).rows).toEqual([{ n: 2 }]);
    expect((await client.query(text, [41])).rows).toEqual([{ n: 42 }]);

    expect(await prepared()).toEqual([text]);
  });

  it('leaves statements without parameters unnamed', async () => {
    await client.query('SELECT 1 AS one');
    await client.query('SELECT 1 AS one', []);

    expect(await prepared()).toEqual([]);
  });

  it('stops preparing new texts past its cap and still answers them', async () => {
    for (let i = 0; i < 500; i += 1) await client.query(`SELECT $1::int + ${i} AS n`, [0]);

    expect((await client.query('SELECT $1::int * 2 AS n', [21])).rows).toEqual([{ n: 42 }]);
    const statements = await prepared();
    expect(statements).toHaveLength(500);
    expect(statements).not.toContain('SELECT $1::int * 2 AS n');
  });

  describe('a table that grows after its statement settled on a plan', () => {
    // A queue as VACUUM leaves it: empty, then refilled. Temporary: this session's own table.
    beforeEach(async () => {
      await client.query('CREATE TEMP TABLE queue (id bigserial PRIMARY KEY, body text NOT NULL)');
      await client.query('VACUUM ANALYZE queue');
    });

    /** Runs `text` until Postgres would settle on a generic plan, fills the table, then counts how one more run read it. */
    const scansAfterGrowth = async (text: string) => {
      for (let i = 0; i < 6; i += 1) await client.query(text, [[1, 2]]);
      await client.query(`INSERT INTO queue (body) SELECT repeat('x', 200) FROM generate_series(1, 20000)`);
      // The session's counts not yet reported, which include earlier transactions': compare before and after.
      const counts = async () =>
        (await client.query(`SELECT seq_scan::int, idx_scan::int FROM pg_stat_xact_user_tables WHERE relname = 'queue'`)).rows[0] as Record<string, number>;
      await client.query('BEGIN');
      const before = await counts();
      await client.query(text, [[1, 2]]);
      const after = await counts();
      await client.query('COMMIT');
      return { seqScans: after.seq_scan - before.seq_scan, indexScans: after.idx_scan - before.idx_scan };
    };

    it('keeps the plan it made for the empty table when named: it reads the whole table', async () => {
      expect(await scansAfterGrowth('SELECT id FROM queue WHERE id = ANY($1::bigint[])')).toEqual({ seqScans: 1, indexScans: 0 });
    });

    it('plans a statement marked planEachRun for the table as it is: by its index', async () => {
      const text = planEachRun('SELECT id FROM queue WHERE id = ANY($1::bigint[]) /* planned each run */');

      const { seqScans, indexScans } = await scansAfterGrowth(text);
      expect(seqScans).toBe(0);
      expect(indexScans).toBeGreaterThan(0);
      expect(await prepared()).not.toContain(text);
    });
  });

  it('stays up when its server ends the connection while no query runs, and refuses the next query', async () => {
    // The tolerance lives in ErrorTolerantClient, which PreparingClient extends: no other listener here.
    expect(client).toBeInstanceOf(ErrorTolerantClient);
    const [{ pid }] = (await client.query('SELECT pg_backend_pid() AS pid')).rows as Array<{ pid: number }>;
    const ended = new Promise((resolve) => client.once('end', resolve));
    const admin = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    await ended;

    await expect(client.query('SELECT 1')).rejects.toThrow();
  });
});
