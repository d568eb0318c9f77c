import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

/** The machine's shared servers; tests never stop them, they only make and drop their own databases. */
export const TEST_ADMIN_DATABASE_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Names of this run's databases and Redis prefixes start with this (set by global setup), so
 * teardown sweeps what a crashed test left behind without touching another run's. */
export function runPrefix(): string {
  process.env.CUENTAS_TEST_RUN ??= `cuentas_t_${randomBytes(3).toString('hex')}`;
  return process.env.CUENTAS_TEST_RUN;
}

export function uniqueName(label = ''): string {
  return `${runPrefix()}_${label ? `${label}_` : ''}${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createDatabase(name: string, adminUrl = TEST_ADMIN_DATABASE_URL): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return databaseUrl(adminUrl, name);
}

export async function dropDatabase(name: string, adminUrl = TEST_ADMIN_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Deletes every key under a prefix (BullMQ keys are `<prefix>:<queue>:...`). */
export async function deleteRedisKeys(pattern: string, redisUrl = TEST_REDIS_URL): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Polls until the assertion passes (events cross services asynchronously) or the time is up. */
export async function eventually<T>(assertion: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/**
 * The same database options with only the migrations that come before `migration`: a migration's
 * test writes data as it was before, then runs the rest.
 */
export function migrationsBefore<T extends { migrations?: unknown }>(options: T, migration: Function): T {
  const migrations = options.migrations as Function[];
  const at = migrations.indexOf(migration);
  if (at < 0) throw new Error(`${migration.name} is not among the service's migrations`);
  return { ...options, migrations: migrations.slice(0, at) };
}
