import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import request from 'supertest';
import type { Role, ServiceName } from '#libs/contracts';
import { signToken } from '#libs/auth';
import { loadConfig, type ServiceConfig } from '#libs/common';
import { createService } from '#libs/platform';
import { TEST_ADMIN_DATABASE_URL, TEST_REDIS_URL, createDatabase, deleteRedisKeys, dropDatabase, eventually, uniqueName } from '#libs/testing';
import { loadServiceDefinition } from './services.js';

export interface Person {
  sub: string;
  roles: Role[];
  org?: string;
  name?: string;
}

export interface TestSystemOptions {
  services: ServiceName[];
  /** Configuration overrides for every service (e.g. a small dayMs, a spare Redis). */
  config?: Partial<ServiceConfig>;
  /** A Postgres of the test's own (admin connection URL); the machine's shared one by default. */
  adminUrl?: string;
}

/**
 * Real services in this process, on a fresh database and Redis prefix of their own, talking
 * through real Postgres and BullMQ. Everything it made is dropped by stop().
 */
export class TestSystem {
  readonly apps = new Map<ServiceName, INestApplication>();
  readonly configs = new Map<ServiceName, ServiceConfig>();
  db!: pg.Pool;

  private constructor(
    readonly database: string,
    readonly databaseUrl: string,
    readonly redisPrefix: string,
    private readonly overrides: Partial<ServiceConfig>,
    private readonly adminUrl: string,
  ) {}

  static async start(options: TestSystemOptions): Promise<TestSystem> {
    const database = uniqueName('db');
    const adminUrl = options.adminUrl ?? TEST_ADMIN_DATABASE_URL;
    const databaseUrl = await createDatabase(database, adminUrl);
    const system = new TestSystem(database, databaseUrl, uniqueName('redis'), options.config ?? {}, adminUrl);
    system.db = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: 'cuentas-test' });
    // Dropping the database at stop() ends idle connections; that is expected, not a failure.
    system.db.on('error', () => undefined);
    try {
      for (const service of options.services) await system.startService(service);
    } catch (err) {
      await system.stop();
      throw err;
    }
    return system;
  }

  config(service: ServiceName, extra: Partial<ServiceConfig> = {}): ServiceConfig {
    return loadConfig(service, process.env, {
      port: 0,
      host: '127.0.0.1',
      databaseUrl: this.databaseUrl,
      redisUrl: TEST_REDIS_URL,
      redisPrefix: this.redisPrefix,
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      relayPollMs: 200,
      eventBackoffMs: 100,
      dbPoolSize: 5,
      // Tests fire bursts from one address; the rate-limit test lowers this on purpose.
      rateLimitPerMinute: 1_000_000,
      ...this.overrides,
      ...extra,
    });
  }

  async startService(service: ServiceName, extra: Partial<ServiceConfig> = {}): Promise<INestApplication> {
    const definition = await loadServiceDefinition(service);
    const config = this.config(service, extra);
    const app = await createService(definition, config);
    await app.init();
    this.apps.set(service, app);
    this.configs.set(service, config);
    return app;
  }

  async stopService(service: ServiceName): Promise<void> {
    const app = this.apps.get(service);
    this.apps.delete(service);
    await app?.close();
  }

  app(service: ServiceName): INestApplication {
    const app = this.apps.get(service);
    if (!app) throw new Error(`${service} is not running`);
    return app;
  }

  http(service: ServiceName) {
    return request(this.app(service).getHttpServer());
  }

  token(person: Person, secret = this.config('proposals').jwtSecret): string {
    return signToken({ sub: person.sub, roles: person.roles, org: person.org, name: person.name }, secret);
  }

  auth(person: Person): { Authorization: string } {
    return { Authorization: `Bearer ${this.token(person)}` };
  }

  async query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, params)).rows;
  }

  eventually<T>(assertion: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
    return eventually(assertion, timeoutMs);
  }

  /** Every service closed its connections when it stopped; one left open is a leak worth naming. */
  private async reportLeftoverConnections(): Promise<void> {
    const admin = new pg.Client({ connectionString: this.adminUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ application_name: string; n: string }>(
        `SELECT application_name, count(*) AS n FROM pg_stat_activity WHERE datname = $1 GROUP BY 1`,
        [this.database],
      );
      if (rows.length) process.stderr.write(`connections left open at stop: ${JSON.stringify(rows)}\n`);
    } finally {
      await admin.end();
    }
  }

  async stop(): Promise<void> {
    for (const service of [...this.apps.keys()].reverse()) await this.stopService(service);
    await this.db?.end();
    await this.reportLeftoverConnections();
    await dropDatabase(this.database, this.adminUrl);
    await deleteRedisKeys(`${this.redisPrefix}:*`);
  }
}
