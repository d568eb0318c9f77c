// Plain JavaScript: Jest loads global setup outside its module mapper, so it cannot import the TS libs.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Names this run's databases and Redis prefixes, fails at once when a server is missing, and
 * compiles the services for the tests that run them as processes (dist/), once per run: compiling
 * in each such test file rewrote dist/ while another file's processes were loading it.
 */
export default async function globalSetup() {
  process.env.CUENTAS_TEST_RUN ??= `cuentas_t_${randomBytes(3).toString('hex')}`;
  execFileSync('npm', ['run', 'build:services', '-s'], { stdio: 'inherit' });
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`Integration tests need PostgreSQL at ${adminUrl}: ${err.message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 3000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Integration tests need Redis at ${redisUrl}: ${err.message}`);
  } finally {
    redis.disconnect();
  }
}
