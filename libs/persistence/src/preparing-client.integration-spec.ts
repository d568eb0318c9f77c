import { TEST_ADMIN_DATABASE_URL } from '#libs/testing';
import { PreparingClient } from './preparing-client.js';

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
});
