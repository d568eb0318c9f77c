/**
 * The consuming half of the BullMQ floor, in its own process as a service's event worker is: each
 * job writes one row in its own transaction. Started by floor.ts with fork(); the setup and the
 * results travel over the IPC channel.
 */
import { Worker } from 'bullmq';
import pg from 'pg';
import { redisConnection } from '#libs/common';
import { epochMs, type FloorHopJob, type FloorHopResult, type FloorWorkerSetup } from './floor.js';

function start(setup: FloorWorkerSetup): void {
  const db = new pg.Pool({ connectionString: setup.databaseUrl, max: setup.poolSize });
  const results: FloorHopResult[] = [];
  const worker = new Worker<FloorHopJob>(
    setup.queue,
    async (job) => {
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        await client.query(`INSERT INTO floor.hop (n, phase) VALUES ($1, $2)`, [job.data.n, job.data.phase]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      const doneAt = epochMs();
      results.push({ n: job.data.n, phase: job.data.phase, latencyMs: doneAt - job.data.addedAt, doneAt });
    },
    { connection: redisConnection(setup.redisUrl, 'worker'), prefix: setup.redisPrefix, concurrency: setup.concurrency },
  );
  void worker.waitUntilReady().then(() => process.send!({ ready: true }));
  process.on('message', (message: string) => {
    if (message !== 'report') return;
    process.send!({ results }, () => {
      void worker.close().then(() => db.end()).then(() => process.exit(0));
    });
  });
}

process.once('message', (setup: FloorWorkerSetup) => start(setup));
