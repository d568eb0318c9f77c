/**
 * `npm run bench:audit`: the audit ledger's performance on a fresh database of its own.
 *
 * - ingest: events/s through the real path (BullMQ queue, envelope check, inbox, chained append);
 * - verify: entries/s of the full verification (chain, signed checkpoints, source gaps), median of
 *   three runs through the service and three of `npm run audit:verify` (its own process);
 * - timeline: median latency of GET /audit/programs/:id/timeline among all the entries;
 * - export: peak RSS while streaming GET /audit/export of 100k and of all entries (should be flat).
 *
 * - append: the same command (grouped inbox and intake transaction) and chaining, without the queue;
 * AUDIT_BENCH_ENTRIES (default 1,000,000) and AUDIT_BENCH_INGEST (default 20,000) size the run.
 * The bulk of the entries is appended by a fast SQL path with the domain's chainEntry.
 */
import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CommandBus } from '@nestjs/cqrs';
import { Queue } from 'bullmq';
import pg from 'pg';
import { eventQueueName } from '#libs/contracts';
import { signToken } from '#libs/auth';
import { loadConfig } from '#libs/common';
import { createService } from '#libs/platform';
import { createDatabase, deleteRedisKeys, dropDatabase } from '#libs/testing';
import { auditService } from '../apps/audit/src/audit.service.js';
import { AUDIT_CONSUMER_CONCURRENCY, RecordEventCommand } from '../apps/audit/src/ledger/commands/record-event.command.js';
import { TakeCheckpointCommand } from '../apps/audit/src/ledger/commands/take-checkpoint.command.js';
import { LedgerChainer } from '../apps/audit/src/ledger/jobs/ledger-chainer.js';
import { LedgerReader } from '../apps/audit/src/ledger/persistence/ledger.reader.js';
import { bulkAppend } from './audit-bulk.js';
import { benchEnvelope, benchProgramId, BENCH_PROGRAMS } from './audit-fixtures.js';

const ENTRIES = Number(process.env.AUDIT_BENCH_ENTRIES ?? 1_000_000);
const INGEST = Number(process.env.AUDIT_BENCH_INGEST ?? 20_000);
const SMALL_EXPORT = Math.min(100_000, ENTRIES);
const TIMELINE_SAMPLES = 51;
const VERIFY_RUNS = 3;
// As many callers as the consumer takes jobs at once, so their events group the same way.
const APPEND_CALLERS = AUDIT_CONSUMER_CONCURRENCY;
const AIMS = { ingestPerSecond: 2000, verifyPerSecond: 100_000, timelineMedianMs: 50 };

const exec = promisify(execFile);
const log = (message: string) => process.stderr.write(`[bench:audit] ${message}\n`);
const seconds = (fromMs: number) => (performance.now() - fromMs) / 1000;
const round = (n: number, digits = 1) => Number(n.toFixed(digits));
const mb = (bytes: number) => round(bytes / 1024 / 1024);

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Samples RSS while `work` runs; returns its result with the peak and the RSS before it. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; baselineMb: number; peakMb: number }> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await work();
    return { result, baselineMb: mb(baseline), peakMb: mb(Math.max(peak, process.memoryUsage().rss)) };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const base = loadConfig('audit');
  const database = `cuentas_bench_audit_${Date.now().toString(36)}`;
  const adminUrl = new URL(base.databaseUrl);
  adminUrl.pathname = '/postgres';
  const databaseUrl = await createDatabase(database, adminUrl.toString());
  const redisPrefix = `cuentas-bench-audit-${Date.now().toString(36)}`;
  const config = loadConfig('audit', process.env, {
    databaseUrl,
    redisPrefix,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'warn',
    // Measured here explicitly; the schedules would only add noise.
    auditCheckpointEveryMs: 3_600_000,
    auditGapGraceMs: 3_600_000,
  });
  const client = new pg.Client({ connectionString: databaseUrl });
  const app = await createService(auditService, config);
  await app.listen(0, '127.0.0.1');
  await client.connect();
  const queue = new Queue(eventQueueName('audit'), { connection: { url: config.redisUrl }, prefix: redisPrefix });
  try {
    const url = await app.getUrl();
    const headers = { Authorization: `Bearer ${signToken({ sub: 'au-bench', roles: ['auditor'] }, config.jwtSecret)}` };
    const ledgerCount = async () => Number((await client.query(`SELECT count(*) AS n FROM audit.ledger`)).rows[0].n);

    log(`ingest: ${INGEST} events through the queue`);
    const ingestStart = performance.now();
    for (let from = 1; from <= INGEST; from += 1000) {
      const jobs = [];
      for (let n = from; n < from + 1000 && n <= INGEST; n++) {
        const data = benchEnvelope(n);
        jobs.push({ name: data.type, data, opts: { jobId: data.eventId, removeOnComplete: true } });
      }
      await queue.addBulk(jobs);
    }
    await until(async () => (await ledgerCount()) >= INGEST, 600_000);
    const ingestSeconds = seconds(ingestStart);
    const ingest = { events: INGEST, seconds: round(ingestSeconds, 2), perSecond: Math.round(INGEST / ingestSeconds) };
    log(`ingest: ${ingest.perSecond} events/s`);

    // The same inbox transaction and chaining without the queue: what the database side sustains.
    log(`append: ${INGEST} events through inbox and chainer, ${APPEND_CALLERS} at a time`);
    const commands = app.get(CommandBus);
    const chainer = app.get(LedgerChainer);
    const appendStart = performance.now();
    let nextEvent = INGEST;
    await Promise.all(
      Array.from({ length: APPEND_CALLERS }, async () => {
        while (nextEvent < 2 * INGEST) {
          const event = benchEnvelope(++nextEvent);
          await commands.execute(new RecordEventCommand(event));
          chainer.kick();
        }
      }),
    );
    await until(async () => (await ledgerCount()) >= 2 * INGEST, 600_000);
    const appendSeconds = seconds(appendStart);
    const append = { events: INGEST, seconds: round(appendSeconds, 2), perSecond: Math.round(INGEST / appendSeconds) };
    log(`append: ${append.perSecond} events/s`);

    const exportAll = async (entries: number) => {
      log(`export: ${entries} entries`);
      const started = performance.now();
      const { result: bytes, baselineMb, peakMb } = await withPeakRss(async () => {
        const res = await fetch(`${url}/audit/export?format=ndjson`, { headers });
        if (!res.ok || !res.body) throw new Error(`export answered ${res.status}`);
        let total = 0;
        for await (const chunk of res.body) total += (chunk as Uint8Array).byteLength;
        return total;
      });
      return { entries, seconds: round(seconds(started), 2), megabytes: mb(bytes), baselineRssMb: baselineMb, peakRssMb: peakMb };
    };

    log(`bulk: up to ${SMALL_EXPORT} entries`);
    await bulkAppend(client, SMALL_EXPORT);
    const exportSmall = await exportAll(SMALL_EXPORT);

    log(`bulk: up to ${ENTRIES} entries`);
    const bulkStart = performance.now();
    await bulkAppend(client, ENTRIES);
    log(`bulk: ${Math.round((ENTRIES - SMALL_EXPORT) / seconds(bulkStart))} entries/s`);
    await client.query(`VACUUM ANALYZE audit.ledger`);
    await app.get(CommandBus).execute(new TakeCheckpointCommand());

    // Three runs each (the machine is shared; the median is quoted): through the service, as
    // GET /audit/verify does, and by `npm run audit:verify` in a process of its own.
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const verifyRuns: Array<{ seconds: number; report: Awaited<ReturnType<LedgerReader['verify']>> }> = [];
    for (let run = 0; run < VERIFY_RUNS; run++) {
      log(`verify ${run + 1}/${VERIFY_RUNS}`);
      const verifyStart = performance.now();
      const report = await app.get(LedgerReader).verify();
      verifyRuns.push({ seconds: seconds(verifyStart), report });
    }
    const [{ report }] = verifyRuns;
    const verifySeconds = median(verifyRuns.map((r) => r.seconds));
    const cliSeconds: number[] = [];
    for (let run = 0; run < VERIFY_RUNS; run++) {
      const { stdout } = await exec(process.execPath, [fileURLToPath(new URL('../scripts/audit-verify.js', import.meta.url))], {
        env: { ...process.env, DATABASE_URL: databaseUrl },
        maxBuffer: 16 * 1024 * 1024,
      });
      cliSeconds.push((JSON.parse(stdout) as { tookMs: number }).tookMs / 1000);
    }
    const verify = {
      entries: report.checked,
      seconds: round(verifySeconds, 2),
      perSecond: Math.round(report.checked / verifySeconds),
      runsPerSecond: verifyRuns.map((r) => Math.round(r.report.checked / r.seconds)),
      valid: verifyRuns.every((r) => r.report.valid),
      checkpoints: report.checkpoints,
      gaps: report.gaps.length,
      cli: { perSecond: Math.round(report.checked / median(cliSeconds)), runsPerSecond: cliSeconds.map((s) => Math.round(report.checked / s)) },
    };
    log(`verify: ${verify.perSecond} entries/s (service, median), ${verify.cli.perSecond} (CLI), valid ${verify.valid}`);

    log('timeline');
    const latencies: number[] = [];
    let timelineEntries = 0;
    for (let i = 0; i < TIMELINE_SAMPLES; i++) {
      const programId = benchProgramId(Math.floor((i * BENCH_PROGRAMS) / TIMELINE_SAMPLES) + 7);
      const started = performance.now();
      const res = await fetch(`${url}/audit/programs/${programId}/timeline`, { headers });
      const body = (await res.json()) as { items: unknown[] };
      latencies.push(performance.now() - started);
      timelineEntries = body.items.length;
    }
    latencies.sort((a, b) => a - b);
    const timeline = {
      samples: TIMELINE_SAMPLES,
      entriesPerTimeline: timelineEntries,
      medianMs: round(latencies[Math.floor(latencies.length / 2)], 2),
      p95Ms: round(latencies[Math.floor(latencies.length * 0.95)], 2),
    };

    const exportLarge = await exportAll(ENTRIES);
    const results = {
      ranAt: new Date().toISOString(),
      node: process.version,
      postgres: (await client.query(`SHOW server_version`)).rows[0].server_version as string,
      cpus: cpus().length,
      // Other work on the machine slows every figure; read them with the load in mind.
      loadAverage: loadavg().map((n) => round(n, 2)),
      entries: await ledgerCount(),
      ingest,
      append,
      verify,
      timeline,
      export: [exportSmall, exportLarge],
      aims: AIMS,
      met: {
        ingest: ingest.perSecond >= AIMS.ingestPerSecond,
        verify: verify.perSecond >= AIMS.verifyPerSecond,
        timeline: timeline.medianMs < AIMS.timelineMedianMs,
        // Flat: ten times the entries may not raise the peak RSS by more than a fifth.
        exportMemoryFlat: exportLarge.peakRssMb <= 1.2 * exportSmall.peakRssMb,
      },
    };
    const markdown = [
      `# Audit ledger benchmark (${results.ranAt})`,
      '',
      `${results.entries.toLocaleString('en-US')} entries; Node ${results.node}; Postgres ${results.postgres}; ${results.cpus} CPUs, load average ${results.loadAverage.join(' / ')}.`,
      '',
      '| measure | result | aim | met |',
      '|---|---|---|---|',
      `| ingest (queue → inbox → chained append) | ${ingest.perSecond} events/s (${ingest.events} in ${ingest.seconds} s) | ≥ ${AIMS.ingestPerSecond}/s | ${results.met.ingest ? 'yes' : 'no'} |`,
      `| append without the queue (inbox → intake → chainer, ${APPEND_CALLERS} callers) | ${append.perSecond} events/s (${append.events} in ${append.seconds} s) | | |`,
      `| verify (chain + checkpoints + gaps), through the service, median of ${VERIFY_RUNS} | ${verify.perSecond} entries/s (${verify.entries} in ${verify.seconds} s, valid: ${verify.valid}; runs ${verify.runsPerSecond.join(' / ')}) | ≥ ${AIMS.verifyPerSecond}/s | ${results.met.verify ? 'yes' : 'no'} |`,
      `| the same by \`npm run audit:verify\`, median of ${VERIFY_RUNS} | ${verify.cli.perSecond} entries/s (runs ${verify.cli.runsPerSecond.join(' / ')}) | | |`,
      `| program timeline (${timeline.entriesPerTimeline} entries) | median ${timeline.medianMs} ms, p95 ${timeline.p95Ms} ms | < ${AIMS.timelineMedianMs} ms | ${results.met.timeline ? 'yes' : 'no'} |`,
      ...[exportSmall, exportLarge].map(
        (e) =>
          `| NDJSON export of ${e.entries} entries | peak RSS ${e.peakRssMb} MB (from ${e.baselineRssMb} MB), ${e.megabytes} MB in ${e.seconds} s | flat | ${results.met.exportMemoryFlat ? 'yes' : 'no'} |`,
      ),
      '',
    ].join('\n');
    await mkdir(new URL('../../bench/results/', import.meta.url), { recursive: true });
    await writeFile(new URL('../../bench/results/audit.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(new URL('../../bench/results/audit.md', import.meta.url), markdown);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n\n${markdown}`);
  } finally {
    await queue.close();
    await app.close();
    await client.end();
    await dropDatabase(database, adminUrl.toString());
    await deleteRedisKeys(`${redisPrefix}:*`, config.redisUrl);
  }
}

await main();
