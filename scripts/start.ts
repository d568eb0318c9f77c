/**
 * `npm start`: the whole system on this machine. Makes sure Postgres and Redis answer (starting
 * them when they are local and down), migrates every service, runs each service and the gateway
 * as child processes with prefixed logs, waits until all are ready, then prints where to go and
 * one sign-in token per role. Ctrl-C or SIGTERM stops the children gracefully.
 *
 * `npm start -- --grouped`: the same apps in two processes of three (GROUPED_APPS, scripts/host.ts),
 * for a machine of one or two cores: half the memory, and in most runs less CPU per request.
 */
import 'reflect-metadata';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ROLES, SERVICES } from '#libs/contracts';
import { APPS, GROUPED_APPS, appPortEnv, loadConfig, type AppName, type ServiceConfig } from '#libs/common';
import { migrateService } from '#libs/platform';
import { DEV_PEOPLE, devToken } from '../apps/gateway/src/console/dev-people.js';
import { cliArgs } from './cli-args.js';
import { loadServiceDefinition } from './service-registry.js';

const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;
const COLORS: Record<AppName, number> = { gateway: 37, proposals: 36, reviews: 35, disbursements: 33, assessments: 32, audit: 34 };
const color = process.stdout.isTTY ? (code: number, text: string) => `\x1b[${code}m${text}\x1b[0m` : (_: number, text: string) => text;

function say(line: string): void {
  process.stdout.write(`${color(1, '[start]')} ${line}\n`);
}

class StartError extends Error {}

const isLocal = (url: URL) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname);
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const dockerAnswers = () => has('docker') && spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new StartError(`${what} did not come up within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

// ---------- Postgres and Redis ----------

function adminUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

async function postgresAnswers(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl(databaseUrl), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisAnswers(redisUrl: string): Promise<boolean> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function composeUp(service: 'postgres' | 'redis', port: string): void {
  // The compose file is given on stdin so the project needs no file only Docker users read.
  const yaml =
    service === 'postgres'
      ? `services:\n  postgres:\n    image: postgres:17\n    environment: { POSTGRES_HOST_AUTH_METHOD: trust }\n    ports: ["127.0.0.1:${port}:5432"]\n`
      : `services:\n  redis:\n    image: redis:7\n    ports: ["127.0.0.1:${port}:6379"]\n`;
  execFileSync('docker', ['compose', '-p', `cuentas-${service}`, '-f', '-', 'up', '-d'], { input: yaml, stdio: ['pipe', 'inherit', 'inherit'] });
}

/** Postgres refuses to run as root; the Debian packages' `postgres` user runs a private cluster then. */
function asPostgresUser(command: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  const [cmd, argv] = root ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  // Quiet unless it fails: the thrown error carries the tool's own output.
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function startLocalPostgres(port: string): void {
  const clusters = has('pg_lsclusters') ? execFileSync('pg_lsclusters', ['-h'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean) : [];
  const cluster = clusters.map((line) => line.split(/\s+/)).find((cols) => cols[2] === port);
  if (cluster && has('pg_ctlcluster')) {
    say(`starting the Postgres cluster ${cluster[0]}/${cluster[1]}`);
    execFileSync('pg_ctlcluster', [cluster[0], cluster[1], 'start'], { stdio: 'inherit' });
    return;
  }
  if (!has('initdb') || !has('pg_ctl')) {
    throw new StartError('Postgres is not running and not installed: install PostgreSQL (e.g. `apt-get install postgresql`) or Docker, or set DATABASE_URL.');
  }
  const dataDir = join(tmpdir(), `cuentas-postgres-${port}`);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    say(`creating a private Postgres cluster in ${dataDir}`);
    mkdirSync(dataDir, { recursive: true });
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:', dataDir]);
    asPostgresUser('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  }
  say(`starting the private Postgres cluster on port ${port}`);
  asPostgresUser('pg_ctl', ['-D', dataDir, '-l', join(dataDir, 'server.log'), '-w', '-o', `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1`, 'start']);
}

async function ensurePostgres(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  if (!(await postgresAnswers(databaseUrl))) {
    if (!isLocal(url)) throw new StartError(`Postgres at ${url.host} does not answer; start it or point DATABASE_URL elsewhere.`);
    const port = url.port || '5432';
    if (dockerAnswers()) {
      say('starting Postgres with docker compose');
      composeUp('postgres', port);
    } else {
      startLocalPostgres(port);
    }
    await until('Postgres', () => postgresAnswers(databaseUrl));
  }
  const database = decodeURIComponent(url.pathname.slice(1));
  const client = new pg.Client({ connectionString: adminUrl(databaseUrl) });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      say(`creating the database ${database}`);
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
}

async function ensureRedis(redisUrl: string): Promise<void> {
  if (await redisAnswers(redisUrl)) return;
  const url = new URL(redisUrl);
  if (!isLocal(url)) throw new StartError(`Redis at ${url.host} does not answer; start it or point REDIS_URL elsewhere.`);
  const port = url.port || '6379';
  if (dockerAnswers()) {
    say('starting Redis with docker compose');
    composeUp('redis', port);
  } else if (has('redis-server')) {
    say(`starting redis-server on port ${port}`);
    const dir = join(tmpdir(), `cuentas-redis-${port}`);
    mkdirSync(dir, { recursive: true });
    execFileSync('redis-server', ['--daemonize', 'yes', '--port', port, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
      stdio: 'inherit',
    });
  } else {
    throw new StartError('Redis is not running and not installed: install Redis (e.g. `apt-get install redis-server`) or Docker, or set REDIS_URL.');
  }
  await until('Redis', () => redisAnswers(redisUrl));
}

// ---------- the services ----------

/** A child process: one app (its own entry, PORT) or several (scripts/host.ts, each on its <APP>_PORT). */
interface AppProcess {
  apps: AppName[];
  entry: string;
  env: Record<string, string>;
}

const children = new Map<string, ChildProcess>();
let stopping = false;

function prefixLines(tag: string, stream: NodeJS.ReadableStream, out: NodeJS.WriteStream): void {
  createInterface({ input: stream }).on('line', (line) => out.write(`${tag} ${line}\n`));
}

function appProcesses(grouped: boolean, ports: Record<AppName, string>): AppProcess[] {
  const dist = (path: string) => fileURLToPath(new URL(path, import.meta.url));
  if (!grouped) {
    return APPS.map((app) => ({ apps: [app], entry: dist(`../apps/${app}/src/main.js`), env: { PORT: ports[app] } }));
  }
  return GROUPED_APPS.map((apps) => ({
    apps: [...apps],
    entry: dist('./host.js'),
    env: { CUENTAS_APPS: apps.join(','), ...appPortEnv(apps.map((app) => [app, ports[app]])) },
  }));
}

function spawnProcess({ apps, entry, env }: AppProcess): void {
  const name = apps.join('+');
  const tag = color(COLORS[apps[0]], `[${name}]`.padEnd(15));
  const child = spawn(process.execPath, ['--enable-source-maps', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(tag, child.stdout!, process.stdout);
  prefixLines(tag, child.stderr!, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    say(`${name} stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping the others`);
    void stopAll(1);
  });
  children.set(name, child);
}

async function ready(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/health/ready', baseUrl), { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (children.size) say('stopping…');
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  process.exit(exitCode);
}

function portOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

function printSummary(config: ServiceConfig): void {
  const gateway = `http://localhost:${config.port}`;
  const lines = [
    '',
    color(1, 'Cuentas is running.'),
    '',
    `  Web console   ${gateway}/`,
    `  API docs      ${gateway}/docs`,
    `  Gateway       ${gateway}  (every API path below, one origin)`,
    ...SERVICES.map((s) => `  ${s.padEnd(13)} ${config.upstreams[s]}  (docs: ${config.upstreams[s]}/docs)`),
    '',
    'Sign-in tokens (valid 2 hours; the console lists everyone at its sign-in page):',
    ...ROLES.map((role) => {
      const person = Object.values(DEV_PEOPLE).find((p) => (p.roles as readonly string[]).includes(role))!;
      return `  ${role.padEnd(13)} ${person.name}\n    ${devToken(person, config.jwtSecret, '2h')}`;
    }),
    '',
    'Fill it with sample programs: npm run demo.   Stop: Ctrl-C.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const { values } = cliArgs({ grouped: { type: 'boolean' } }, 'npm start [-- --grouped]');
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  const config = loadConfig('gateway');

  say('checking Postgres and Redis');
  await ensurePostgres(config.databaseUrl);
  await ensureRedis(config.redisUrl);

  // Migrated one after another before any service starts, so no two boots race on the same schema.
  const definitions = await Promise.all(SERVICES.map(loadServiceDefinition));
  for (const definition of definitions) {
    const applied = await migrateService(definition, loadConfig(definition.name));
    say(`${definition.name}: ${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'}`);
  }

  const urls = { gateway: `http://127.0.0.1:${config.port}`, ...config.upstreams } as Record<AppName, string>;
  const ports = Object.fromEntries(Object.entries(urls).map(([app, url]) => [app, portOf(url)])) as Record<AppName, string>;
  const processes = appProcesses(values.grouped ?? false, ports);
  const allReady = (procs: AppProcess[]) =>
    Promise.all(procs.flatMap((p) => p.apps).map((app) => until(`${app} (${urls[app]})`, () => ready(urls[app]), READY_TIMEOUT_MS)));
  // Services before the gateway in front of them (a process with the gateway starts it after its own services).
  const front = processes.filter((p) => p.apps.includes('gateway'));
  const back = processes.filter((p) => !front.includes(p));
  back.forEach(spawnProcess);
  await allReady(back);
  front.forEach(spawnProcess);
  await allReady(front);
  if (!stopping) printSummary(config);
}

main().catch(async (err: unknown) => {
  say(err instanceof StartError ? err.message : `could not start: ${(err as Error).stack ?? String(err)}`);
  await stopAll(1);
});
