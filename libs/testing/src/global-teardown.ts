import pg from 'pg';
import { TEST_ADMIN_DATABASE_URL, deleteRedisKeys, dropDatabase, runPrefix } from './test-infra.js';

/** Sweeps whatever a crashed test file left behind: its databases and Redis keys. */
export default async function globalTeardown(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
  await client.connect();
  const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
    `${runPrefix()}%`,
  ]);
  await client.end();
  for (const { datname } of rows) await dropDatabase(datname);
  await deleteRedisKeys(`${runPrefix()}*`);
}
