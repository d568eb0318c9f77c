import pg from 'pg';
import { Redis } from 'ioredis';
import { TEST_ADMIN_DATABASE_URL, TEST_REDIS_URL, runPrefix } from './test-infra.js';

/** Fails the run at once, with one clear sentence, when the servers the tests need are not there. */
export default async function globalSetup(): Promise<void> {
  runPrefix();
  const client = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`Integration tests need PostgreSQL at ${TEST_ADMIN_DATABASE_URL}: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 3000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Integration tests need Redis at ${TEST_REDIS_URL}: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
