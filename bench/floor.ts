/**
 * The floor: what Postgres and BullMQ alone sustain on this machine, measured in the same run as
 * the services so the ratios compare like with like.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import pg from 'pg';
import { redisConnection } from '#libs/common';
import { summarize, type Summary } from './lifecycle-stats.js';

/** High-resolution wall-clock time in ms, comparable between processes of one machine. */
export const epochMs = () => performance.timeOrigin + performance.now();

export interface FloorWorkerSetup {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  queue: string;
  poolSize: number;
  concurrency: number;
}

export interface FloorHopJob {
  n: number;
  phase: 'paced' | 'max';
  addedAt: number;
}

export interface FloorHopResult {
  n: number;
  phase: FloorHopJob['phase'];
  latencyMs: number;
  doneAt: number;
}

export interface PostgresFloor {
  clients: number;
  seconds: number;
  transactions: number;
  perSecond: number;
  latencyMs: Summary;
}

export interface QueueFloor {
  worker: string;
  concurrency: number;
  paced: { perSecond: number; jobs: number; latencyMs: Summary };
  /** The median of BURSTS bursts (a burst lasts seconds, so one alone moves with the machine's passing load). */
  max: { jobs: number; seconds: number; perSecond: number; latencyMs: Summary; bursts: number[] };
}

/** Enough concurrent producers that the consumer, not the producing side, limits the maximum. */
const PRODUCERS = 16;
const BURSTS = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createTables(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS floor`);
    await client.query(`CREATE TABLE IF NOT EXISTS floor.tx (id bigserial PRIMARY KEY, n integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS floor.hop (id bigserial PRIMARY KEY, n integer NOT NULL, phase text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
    );
  } finally {
    await client.end();
  }
}

/** (a) BEGIN; INSERT one row; COMMIT, from as many clients as a service's pool has, for `seconds`. */
export async function measurePostgresFloor(databaseUrl: string, poolSize: number, seconds: number): Promise<PostgresFloor> {
  await createTables(databaseUrl);
  const db = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: poolSize }, async () => {
        const client = await db.connect();
        try {
          while (performance.now() < deadline) {
            const t0 = performance.now();
            await client.query('BEGIN');
            await client.query(`INSERT INTO floor.tx (n) VALUES ($1)`, [latencies.length]);
            await client.query('COMMIT');
            latencies.push(performance.now() - t0);
          }
        } finally {
          client.release();
        }
      }),
    );
  } finally {
    await db.end();
  }
  const elapsed = (performance.now() - started) / 1000;
  return { clients: poolSize, seconds: elapsed, transactions: latencies.length, perSecond: latencies.length / elapsed, latencyMs: summarize(latencies) };
}

/**
 * (b) The floor's unit of work: a bare Postgres transaction (one row) in this process, then
 * Queue.add → a BullMQ Worker in another process (concurrency and pool as a service's event
 * worker) that commits one row. First paced (latency without a backlog, from the transaction's
 * start), then as fast as PRODUCERS concurrent producers go (throughput at the maximum: the
 * median of BURSTS bursts).
 */
export async function measureQueueFloor(
  db: pg.Pool,
  setup: Omit<FloorWorkerSetup, 'queue'>,
  paced: { perSecond: number; seconds: number },
  burstJobs: number,
): Promise<QueueFloor> {
  await createTables(setup.databaseUrl);
  const queueName = 'floor-hop';
  const queue = new Queue<FloorHopJob>(queueName, { connection: redisConnection(setup.redisUrl, 'producer'), prefix: setup.redisPrefix });
  const child = fork(fileURLToPath(new URL('./floor-worker.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, NODE_OPTIONS: '' } });
  const messages: Array<{ ready?: boolean; results?: FloorHopResult[] }> = [];
  child.on('message', (m) => messages.push(m as (typeof messages)[number]));
  const exited = once(child, 'exit');
  // An INSERT outside an explicit transaction is one transaction (autocommit).
  const producers = new pg.Pool({ connectionString: setup.databaseUrl, max: PRODUCERS });
  // Same job options as the relay's, so Redis does the same work per job.
  const opts = () => ({ jobId: randomUUID(), attempts: 8, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: false });
  try {
    child.send({ ...setup, queue: queueName } satisfies FloorWorkerSetup);
    while (!messages.some((m) => m.ready)) await sleep(20);

    const produce = async (n: number, phase: FloorHopJob['phase']) => {
      const addedAt = epochMs();
      await producers.query(`INSERT INTO floor.tx (n) VALUES ($1)`, [n]);
      await queue.add('hop', { n, phase, addedAt }, opts());
    };
    const pacedJobs = Math.round(paced.perSecond * paced.seconds);
    const pacedStart = performance.now();
    for (let n = 0; n < pacedJobs; n++) {
      const due = pacedStart + (n * 1000) / paced.perSecond;
      if (due > performance.now()) await sleep(due - performance.now());
      void produce(n, 'paced');
    }

    const rows = async (phase: string) =>
      Number((await db.query(`SELECT count(*) AS n FROM floor.hop WHERE phase = $1`, [phase])).rows[0].n);
    while ((await rows('paced')) < pacedJobs) await sleep(50);

    const burstStarts: number[] = [];
    for (let burst = 0; burst < BURSTS; burst++) {
      burstStarts.push(epochMs());
      let next = burst * burstJobs;
      const end = next + burstJobs;
      await Promise.all(
        Array.from({ length: PRODUCERS }, async () => {
          while (next < end) await produce(next++, 'max');
        }),
      );
      while ((await rows('max')) < end) await sleep(50);
    }

    child.send('report');
    while (!messages.some((m) => m.results)) await sleep(20);
    const results = messages.find((m) => m.results)!.results!;
    const of = (phase: string) => results.filter((r) => r.phase === phase);
    const bursts = burstStarts.map((startedAt, burst) => {
      const done = of('max').filter((r) => Math.floor(r.n / burstJobs) === burst);
      const seconds = (Math.max(...done.map((r) => r.doneAt)) - startedAt) / 1000;
      return { seconds, perSecond: burstJobs / seconds, latencyMs: summarize(done.map((r) => r.latencyMs)) };
    });
    const median = [...bursts].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(BURSTS / 2)];
    return {
      worker: `separate process (fork); ${PRODUCERS} producers in the bench process`,
      concurrency: setup.concurrency,
      paced: { perSecond: paced.perSecond, jobs: pacedJobs, latencyMs: summarize(of('paced').map((r) => r.latencyMs)) },
      max: { jobs: burstJobs, ...median, bursts: bursts.map((b) => Math.round(b.perSecond)) },
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    await queue.close();
    await producers.end();
  }
}
