import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SERVICES } from '#libs/contracts';
import { GROUPED_APPS, appPortEnv, loadConfig, type AppName } from '#libs/common';
import { ProcessCluster, createDatabase, deleteRedisKeys, dropDatabase, hostProcessSpec } from '#libs/testing';
import { AutovacuumStandIn } from './autovacuum-stand-in.js';

const ROOT = process.cwd();
/** Linux reports process CPU time in clock ticks of 1/100 s. */
const TICKS_PER_SECOND = 100;

/**
 * How the apps map to OS processes: `separate`, one process per app as docker/ runs them; `grouped`,
 * two processes of three apps each (scripts/host.ts), one per core of a small machine.
 */
export type Layout = 'separate' | 'grouped';

/** A port nobody listens on now (asked from the kernel, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** User + system CPU seconds a process has used so far (/proc/<pid>/stat fields 14 and 15). */
export function cpuSecondsOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * write and writev calls a process has made so far (/proc/<pid>/io syscw): every socket write of
 * Node and Redis. Postgres answers with send(), which this does not count, so it is left out.
 */
function writeCallsOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    return Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Busy and total jiffies of the whole machine (/proc/stat), to tell how much CPU was left idle. */
function machineJiffies(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = cpu[3] + cpu[4];
  return { busy: total - idle, total };
}

export interface RoundTripCounters {
  statements: number;
  httpRequests: number;
}

export interface CpuWindow {
  /**
   * CPU used during the window, in % of one core: each service process, the bench process itself
   * (driver and gateway client), this database's Postgres backends, and the Redis server (which
   * other sessions share).
   */
  perProcess: Record<string, number>;
  /** The same as CPU seconds, unrounded. */
  cpuSeconds: Record<string, number>;
  /** Share of the whole machine (all cores) that was busy, anything included. */
  machineBusyPercent: number;
  /**
   * write/writev system calls during the window per process, Postgres excepted (see writeCallsOf).
   * Unlike CPU time, a count that other sessions' load does not change: on this virtual machine a
   * socket write, with the wake-up it causes, is one of the dearest things a process does.
   */
  writeCalls: Record<string, number>;
  seconds: number;
}

/**
 * The five services and the gateway as separate OS processes (one instance each, from dist/) on a
 * fresh database and Redis prefix, as `npm start` runs them; cleaned up by `stop()`.
 */
export class BenchSystem {
  readonly cluster: ProcessCluster;
  readonly db: pg.Pool;
  readonly autovacuum: AutovacuumStandIn;
  private readonly ports = new Map<AppName, number>();

  private constructor(
    readonly database: string,
    readonly adminUrl: string,
    readonly databaseUrl: string,
    readonly redisUrl: string,
    readonly redisPrefix: string,
    readonly poolSize: number,
    readonly layout: Layout,
  ) {
    this.cluster = new ProcessCluster(ROOT, join(ROOT, 'artifacts', 'logs', database));
    this.db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    // pg-pool's end() resolves before its clients' connections have closed, so the DROP DATABASE
    // … WITH (FORCE) in stop() can terminate one: without a listener that error ends the run.
    this.db.on('error', () => undefined);
    this.autovacuum = new AutovacuumStandIn(this.db);
  }

  static async create(poolSize: number, layout: Layout = 'separate'): Promise<BenchSystem> {
    const base = loadConfig('gateway');
    const stamp = Date.now().toString(36);
    const database = `cuentas_bench_lifecycle_${stamp}`;
    const admin = new URL(base.databaseUrl);
    admin.pathname = '/postgres';
    const databaseUrl = await createDatabase(database, admin.toString());
    return new BenchSystem(database, admin.toString(), databaseUrl, base.redisUrl, `cuentas-bench-lifecycle-${stamp}`, poolSize, layout);
  }

  private env(): Record<string, string> {
    return {
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redisUrl,
      REDIS_PREFIX: this.redisPrefix,
      DB_POOL_SIZE: String(this.poolSize),
      LOG_LEVEL: 'warn',
      // The limiter would refuse a benchmark's traffic from one client.
      RATE_LIMIT_PER_MINUTE: '1000000000',
    };
  }

  /** Services one after another (each migrates its schema at boot), then the gateway in front. */
  async start(): Promise<void> {
    if (this.layout === 'grouped') {
      for (const apps of GROUPED_APPS) for (const app of apps) this.ports.set(app, await freePort());
      // Each process is told every app's port: its gateway finds the other process's services by them.
      const everyPort = appPortEnv(this.ports);
      for (const apps of GROUPED_APPS) {
        const spec = hostProcessSpec(apps, this.ports, everyPort);
        await this.startProcess(spec.name, spec.entry, spec.port, spec.env);
      }
      return;
    }
    for (const service of SERVICES) await this.startApp(service, {});
    const upstreams = Object.fromEntries(SERVICES.map((s) => [`${s.toUpperCase()}_URL`, this.url(s)]));
    await this.startApp('gateway', upstreams);
  }

  private async startApp(name: AppName, env: Record<string, string>): Promise<void> {
    const port = await freePort();
    this.ports.set(name, port);
    await this.startProcess(name, join('dist', 'apps', name, 'src', 'main.js'), port, env);
  }

  private async startProcess(name: string, entry: string, port: number, env: Record<string, string>): Promise<void> {
    // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", is passed to every process: to see where a run's CPU goes.
    const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    await this.cluster.start({ name, entry, port, nodeArgs, env: { ...this.env(), ...env } });
  }

  url(name: AppName): string {
    return `http://127.0.0.1:${this.ports.get(name)}`;
  }

  /**
   * Each app's counters so far, from its /metrics: statements sent to Postgres (db_queries_total;
   * the gateway has no database) and HTTP requests answered (http_requests_total, all routes).
   */
  async counters(): Promise<Record<string, RoundTripCounters>> {
    const entries = await Promise.all(
      [...this.ports.keys()].map(async (name) => {
        const text = await (await fetch(`${this.url(name)}/metrics`)).text();
        const sum = (metric: string) =>
          text
            .split('\n')
            .filter((line) => line.startsWith(`${metric} `) || line.startsWith(`${metric}{`))
            .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
        return [name, { statements: sum('db_queries_total'), httpRequests: sum('http_requests_total') }] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  async query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, params)).rows;
  }

  /** The processes whose CPU a window measures, as name → pids (read again at the end of the window). */
  private async cpuSources(): Promise<Map<string, number[]>> {
    const sources = new Map(this.cluster.names().map((n) => [n, [this.cluster.get(n).child.pid ?? 0]]));
    sources.set('bench', [process.pid]);
    const backends = await this.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [this.database]);
    sources.set('postgres (this database)', backends.map((b) => b.pid));
    const redis = new Redis(this.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const pid = /process_id:(\d+)/.exec(await redis.info('server'))?.[1];
      // Only visible when Redis runs on this machine outside a container.
      if (pid) sources.set('redis-server (shared)', [Number(pid)]);
    } finally {
      redis.disconnect();
    }
    return sources;
  }

  /** Starts measuring CPU; the returned function ends the window and reports it. */
  async cpuWindow(): Promise<() => CpuWindow> {
    const started = performance.now();
    const sources = await this.cpuSources();
    const pids = [...sources.values()].flat();
    const cpuBefore = new Map(pids.map((pid) => [pid, cpuSecondsOf(pid)]));
    const writesBefore = new Map(pids.map((pid) => [pid, writeCallsOf(pid)]));
    // A process gone by the end of the window (an idle pooled connection closed) counts nothing.
    const since = (of: (pid: number) => number, before: Map<number, number>) => (group: number[]) =>
      group.reduce((sum, pid) => sum + Math.max(0, of(pid) - before.get(pid)!), 0);
    const cpuUsed = since(cpuSecondsOf, cpuBefore);
    const writesMade = since(writeCallsOf, writesBefore);
    const machineBefore = machineJiffies();
    return () => {
      const seconds = (performance.now() - started) / 1000;
      const machine = machineJiffies();
      const cpuSeconds = Object.fromEntries([...sources].map(([name, group]) => [name, cpuUsed(group)]));
      const perProcess = Object.fromEntries(Object.entries(cpuSeconds).map(([name, used]) => [name, Math.round((used / seconds) * 100)]));
      const writeCalls = Object.fromEntries([...sources].filter(([name]) => !name.startsWith('postgres')).map(([name, group]) => [name, writesMade(group)]));
      const busy = (machine.busy - machineBefore.busy) / Math.max(1, machine.total - machineBefore.total);
      return { perProcess, cpuSeconds, writeCalls, machineBusyPercent: Math.round(busy * 100), seconds: Math.round(seconds * 10) / 10 };
    };
  }

  async stop(): Promise<void> {
    // SIGTERM: each process drains and exits normally, so logs and any --cpu-prof profile are written.
    await this.cluster.stopAll('SIGTERM');
    await this.autovacuum.stop();
    await this.db.end();
    await dropDatabase(this.database, this.adminUrl);
    await deleteRedisKeys(`${this.redisPrefix}:*`, this.redisUrl);
  }
}
