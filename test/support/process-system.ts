import { join } from 'node:path';
import pg from 'pg';
import { SERVICES, type ServiceName } from '#libs/contracts';
import { signToken } from '#libs/auth';
import { APPS, appPortEnv, loadConfig, type AppName } from '#libs/common';
import {
  ProcessCluster,
  TEST_ADMIN_DATABASE_URL,
  TEST_REDIS_URL,
  createDatabase,
  deleteRedisKeys,
  dropDatabase,
  eventually,
  hostProcessSpec,
  uniqueName,
  type LifecycleTokens,
} from '#libs/testing';
import { people } from './fixtures.js';
import type { Person } from './test-system.js';
import { sparePort } from './private-servers.js';

const ROOT = process.cwd();

/**
 * Services as separate OS processes on a fresh database and Redis prefix: what the fault tests
 * kill and the benchmarks measure.
 */
export class ProcessSystem {
  readonly cluster: ProcessCluster;
  readonly ports = new Map<string, number>();
  db: pg.Pool;

  private constructor(
    readonly database: string,
    readonly databaseUrl: string,
    readonly redisPrefix: string,
    private readonly env: Record<string, string>,
  ) {
    this.cluster = new ProcessCluster(ROOT, join(ROOT, 'artifacts', 'logs', database));
    this.db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    this.db.on('error', () => undefined);
  }

  /** The services run from dist/, which the integration tests' global setup compiles. */
  static async create(env: Record<string, string> = {}): Promise<ProcessSystem> {
    const database = uniqueName('proc');
    const databaseUrl = await createDatabase(database);
    return new ProcessSystem(database, databaseUrl, uniqueName('redis'), env);
  }

  /** Starts `instances` processes of a service (names `svc`, `svc#2`, ...). */
  async start(service: ServiceName, instances = 1, env: Record<string, string> = {}): Promise<void> {
    for (let i = 1; i <= instances; i += 1) {
      const port = await sparePort();
      const name = i === 1 ? service : `${service}#${i}`;
      this.ports.set(name, port);
      await this.cluster.start({ name, entry: join('dist', 'apps', service, 'src', 'main.js'), port, env: this.processEnv(env) });
    }
  }

  /**
   * Starts one process running several apps (scripts/host.ts), named by them joined with `+`. Each
   * app gets a port of its own, reachable as `url(app)`; a gateway among them is pointed at every
   * service started so far, here or in other processes.
   */
  async startHost(apps: readonly AppName[], env: Record<string, string> = {}): Promise<string> {
    // Started again, an app keeps its port: the gateway elsewhere still knows it there.
    for (const app of apps) if (!this.ports.has(app)) this.ports.set(app, await sparePort());
    const urls = Object.fromEntries(SERVICES.filter((s) => this.ports.has(s)).map((s) => [`${s.toUpperCase()}_URL`, this.url(s)]));
    const spec = hostProcessSpec(apps, this.ports, { ...urls, ...env });
    await this.cluster.start({ ...spec, env: this.processEnv(spec.env) });
    return spec.name;
  }

  /**
   * `npm start` itself (scripts/start.ts, given `args`), every app on a port of its own; named
   * `start`, ready when the gateway is. Its apps run in its child processes.
   */
  async startAll(args: string[] = []): Promise<string> {
    for (const app of APPS) if (!this.ports.has(app)) this.ports.set(app, await sparePort());
    await this.cluster.start({ name: 'start', entry: join('dist', 'scripts', 'start.js'), args, port: this.ports.get('gateway')!, env: this.processEnv(appPortEnv(this.ports)) });
    return 'start';
  }

  private processEnv(env: Record<string, string>): Record<string, string> {
    return {
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: this.redisPrefix,
      LOG_LEVEL: 'warn',
      RELAY_POLL_MS: '200',
      EVENT_BACKOFF_MS: '200',
      EVENT_ATTEMPTS: '20',
      RATE_LIMIT_PER_MINUTE: '1000000',
      // Connections are budgeted: the two longest test files (two instances of every service each)
      // start together on the two Jest workers, 2 × 10 processes × (3 + the relay's LISTEN) = 80 of
      // the server's 100. With 5 each they ran out ("too many clients") and a starting process died.
      DB_POOL_SIZE: '3',
      ...this.env,
      ...env,
    };
  }

  url(name: string): string {
    return `http://127.0.0.1:${this.ports.get(name)}`;
  }

  token(person: Person): string {
    return signToken({ sub: person.sub, roles: person.roles, org: person.org, name: person.name }, loadConfig('gateway').jwtSecret);
  }

  /** The tokens a LifecycleDriver acts with: the fixtures' manager, reviewer, approver and scheduler. */
  driverTokens(): LifecycleTokens {
    return {
      manager: this.token(people.manager),
      reviewer: this.token(people.reviewer),
      approver: this.token(people.approver),
      scheduler: this.token(people.scheduler),
    };
  }

  async query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, params)).rows;
  }

  /** Events in every service's outbox, rows in the audit ledger, and distinct events among them. */
  async eventCounts(): Promise<{ outbox: number; ledger: number; distinct: number }> {
    const [row] = await this.query<{ outbox: string; ledger: string; distinct: string }>(
      `SELECT (SELECT ${SERVICES.map((s) => `(SELECT count(*) FROM ${s}.outbox)`).join(' + ')}) AS outbox,
              (SELECT count(*) FROM audit.ledger) AS ledger, (SELECT count(DISTINCT event_id) FROM audit.ledger) AS distinct`,
    );
    return { outbox: Number(row.outbox), ledger: Number(row.ledger), distinct: Number(row.distinct) };
  }

  /** How many of `programs` have a disbursement released and an assessment point completed: the end of their life. */
  async finished(programs: string[]): Promise<{ released: number; completed: number }> {
    const [row] = await this.query<{ released: string; completed: string }>(
      `SELECT (SELECT count(*) FROM disbursements.disbursements WHERE status = 'RELEASED' AND program_id = ANY($1)) AS released,
              (SELECT count(*) FROM assessments.points WHERE status = 'COMPLETED' AND program_id = ANY($1)) AS completed`,
      [programs],
    );
    return { released: Number(row.released), completed: Number(row.completed) };
  }

  eventually<T>(assertion: () => Promise<T> | T, timeoutMs = 30_000): Promise<T> {
    return eventually(assertion, timeoutMs, 200);
  }

  async stop(): Promise<void> {
    await this.cluster.stopAll('SIGKILL');
    await this.db.end();
    await dropDatabase(this.database, TEST_ADMIN_DATABASE_URL);
    await deleteRedisKeys(`${this.redisPrefix}:*`);
  }
}

/** A JSON HTTP call to a service process, retrying while it is being restarted. */
export async function call(
  base: () => string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const res = await fetch(`${base()}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    } catch (err) {
      if (attempt > 100) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
