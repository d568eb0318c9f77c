/**
 * `npm run bench`: the whole system under load, as separate processes (one instance of each
 * service and the gateway) on a fresh database and Redis prefix, every request through the gateway.
 * `npm run bench:grouped` runs the same apps in two processes of three (BENCH_LAYOUT=grouped, scripts/host.ts).
 *
 * 1. floor: (a) bare Postgres transactions; (b) a bare transaction followed by a bare BullMQ
 *    hop (add → worker process → row committed);
 * 2. the full lifecycle (LifecycleDriver) at fixed open-loop arrival rates, then a closed-loop
 *    concurrency sweep for the maximum;
 * 3. command latency, event propagation (outbox → every subscriber's inbox), audit lag, peak RSS,
 *    and the time from submit answering to the program reading UNDER_REVIEW;
 * 4. the round trips a transition makes (statements, requests through the gateway) and, from the
 *    CPU of a bare statement and a bare proxied request measured in the same run, what those alone cost;
 * 5. what one request of each kind costs every process (request-costs.ts).
 *
 * Every measured phase follows a warm-up under load: until V8 has optimised the hot paths a
 * transition costs about a fifth more CPU (9.7 ms in a fresh system's first 20 s at 64 in flight,
 * 7.8 to 8.1 ms in the four windows after it, one run), which a long-running service does not pay.
 *
 * Knobs (environment): BENCH_DB_POOL_SIZE (5), BENCH_RATES ("50,100,150,200" transitions/s: where the propagation aim holds up to its rate),
 * BENCH_PHASE_SECONDS (20), BENCH_SWEEP ("4,8,16,32,64,128" programs in flight), BENCH_SWEEP_SECONDS (15),
 * BENCH_MAX_WINDOWS (3 windows at the sweep's best load, whose median is the maximum),
 * BENCH_AIM_WINDOWS (3 windows at the propagation aim's rate, whose median p99 is judged against the aim),
 * BENCH_WARMUP_SECONDS (30, at 32 programs in flight), BENCH_LAYOUT (separate or grouped), BENCH_NODE_ARGS (extra node flags for every service process, e.g. "--cpu-prof --cpu-prof-dir=DIR"),
 * BENCH_RESTRICTED_PARTIES (10000 added to the seeded restricted list: a sanctions list's size, which every review opened is checked against).
 */
import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { SERVICES } from '#libs/contracts';
import { loadConfig } from '#libs/common';
import { normalisePartyName, normaliseRegistrationId } from '#libs/core';
import { DEV_PEOPLE, devToken } from '../apps/gateway/src/console/dev-people.js';
import { measurePostgresFloor, measureQueueFloor } from './floor.js';
import { TalliedDriver, closedLoop, openLoop, rampSeconds, submitToUnderReview, type LoadResult } from './lifecycle-load.js';
import { auditLag, deliveriesPerSecond, propagation, queueTimes, quiesce } from './lifecycle-metrics.js';
import { medianWindow, propagationP99, renderMarkdown, type LifecycleResults, type Phase } from './lifecycle-report.js';
import { BenchSystem, type Layout } from './lifecycle-system.js';
import { measureRequestCosts } from './request-costs.js';
import { measureRoundTripCosts } from './round-trips.js';

const list = (raw: string | undefined, fallback: number[]) => (raw ? raw.split(',').map(Number) : fallback);
const POOL_SIZE = Number(process.env.BENCH_DB_POOL_SIZE ?? 5);
const RATES = list(process.env.BENCH_RATES, [50, 100, 150, 200]);
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 20);
const SWEEP = list(process.env.BENCH_SWEEP, [4, 8, 16, 32, 64, 128]);
const SWEEP_SECONDS = Number(process.env.BENCH_SWEEP_SECONDS ?? 15);
/** Windows at the sweep's best concurrency, that one included: the maximum is their median, as floor (b) is of its bursts. */
const MAX_WINDOWS = Number(process.env.BENCH_MAX_WINDOWS ?? 3);
/** Windows at the propagation aim's rate, the first included: the aim is judged on their median p99. */
const AIM_WINDOWS = Number(process.env.BENCH_AIM_WINDOWS ?? 3);
const RESTRICTED_PARTIES = Number(process.env.BENCH_RESTRICTED_PARTIES ?? 10_000);
const LAYOUT: Layout = process.env.BENCH_LAYOUT === 'grouped' ? 'grouped' : 'separate';
/** A service's event worker runs 8 jobs at a time (@Processor concurrency): the floor's worker too. */
const WORKER_CONCURRENCY = 8;
const WARMUP_PROGRAMS = 24;
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 30);
const SUBMIT_PROBES = 50;
const SUBMIT_POLL_MS = 5;
/** Keeps an overloaded open-loop phase (and the drain after it) within the bench's time budget. */
const MAX_IN_FLIGHT = 120;
const AIMS = { propagationP99Ms: 50, propagationAtTransitionsPerSecond: 200, maxThroughputVsQueueFloor: 0.4 };

const log = (message: string) => process.stderr.write(`[bench] ${new Date().toISOString().slice(11, 19)} ${message}\n`);
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Fictional parties no bench partner matches, stored as the reviews service's admin API stores them. */
async function addRestrictedParties(sys: BenchSystem, count: number): Promise<void> {
  const names = Array.from({ length: count }, (_, i) => `Empresa de Servicios Ficticia ${i + 1}, S.A. de C.V.`);
  const ids = names.map((_, i) => `0000-${String(i + 1).padStart(6, '0')}-999-9`);
  await sys.query(
    `INSERT INTO reviews.restricted_parties (name, normalised_name, registration_id, normalised_registration_id, reason, source, created_by)
     SELECT name, normalised_name, registration_id, normalised_registration_id, 'Benchmark entry (fictional).', 'bench', 'bench'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS p(name, normalised_name, registration_id, normalised_registration_id)`,
    [names, names.map(normalisePartyName), ids, ids.map(normaliseRegistrationId)],
  );
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const loadBefore = loadavg();
  const sys = await BenchSystem.create(POOL_SIZE, LAYOUT);
  log(`database ${sys.database}, Redis prefix ${sys.redisPrefix}`);
  const stopOnSignal = () => void sys.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    log(`floor (a): Postgres transactions from ${POOL_SIZE} clients for 5 s`);
    const postgresFloor = await measurePostgresFloor(sys.databaseUrl, POOL_SIZE, 5);
    log(`floor (a): ${Math.round(postgresFloor.perSecond)} tx/s, p50 ${postgresFloor.latencyMs.p50} ms`);
    log('floor (b): Postgres transaction, then BullMQ add → worker process → row committed');
    const queueFloor = await measureQueueFloor(
      sys.db,
      { databaseUrl: sys.databaseUrl, redisUrl: sys.redisUrl, redisPrefix: sys.redisPrefix, poolSize: POOL_SIZE, concurrency: WORKER_CONCURRENCY },
      { perSecond: 200, seconds: 5 },
      5000,
    );
    log(`floor (b): ${Math.round(queueFloor.max.perSecond)} tx + hops/s (bursts ${queueFloor.max.bursts.join(' / ')}), paced p50 ${queueFloor.paced.latencyMs.p50} ms p99 ${queueFloor.paced.latencyMs.p99} ms`);

    log('round trips without a framework: prepared statements, then GETs through a proxy');
    const roundTripCosts = await measureRoundTripCosts(sys.databaseUrl);
    log(`round trips: statement ${roundTripCosts.statementUs.total} µs CPU, proxied GET ${roundTripCosts.httpRequestThroughProxyUs.total} µs CPU`);

    log('starting the services and the gateway');
    await sys.start();
    log(`adding ${RESTRICTED_PARTIES} parties to the restricted list`);
    await addRestrictedParties(sys, RESTRICTED_PARTIES);
    const secret = loadConfig('gateway').jwtSecret;
    const tokens = {
      manager: devToken(DEV_PEOPLE.manager, secret, '2h'),
      reviewer: devToken(DEV_PEOPLE.reviewer, secret, '2h'),
      approver: devToken(DEV_PEOPLE.approver, secret, '2h'),
      scheduler: devToken(DEV_PEOPLE.scheduler, secret, '2h'),
    };
    const gateway = sys.url('gateway');
    const newDriver = () => new TalliedDriver(() => gateway, tokens);
    let nextProgram = 0;

    log(`warm-up: ${WARMUP_PROGRAMS} programs, 8 at a time`);
    const warmup = newDriver();
    await Promise.all(Array.from({ length: 8 }, async (_, k) => {
      for (let i = k; i < WARMUP_PROGRAMS; i += 8) await warmup.run(nextProgram + i);
    }));
    nextProgram += WARMUP_PROGRAMS;
    const commandsPerProgram = warmup.transitions.length / WARMUP_PROGRAMS;
    if (WARMUP_SECONDS > 0) {
      log(`warm-up: ${WARMUP_SECONDS} s, 32 programs in flight`);
      nextProgram += (await closedLoop(newDriver(), { concurrency: 32, seconds: WARMUP_SECONDS, firstProgram: nextProgram })).programsStarted;
    }
    await quiesce(sys);
    await sys.autovacuum.start();

    log('CPU per request, one kind at a time');
    const requestCosts = await measureRequestCosts(sys, tokens.manager);
    for (const cost of requestCosts) log(`${cost.request}: ${Object.entries(cost.cpuUs).map(([name, us]) => `${name} ${us} µs`).join(', ')}`);

    log(`submit → UNDER_REVIEW: ${SUBMIT_PROBES} programs one at a time, polling every ${SUBMIT_POLL_MS} ms`);
    const probeFrom = new Date();
    const submitToReview = await submitToUnderReview(newDriver(), tokens.manager, SUBMIT_PROBES, nextProgram, SUBMIT_POLL_MS);
    const probeTo = new Date();
    nextProgram += SUBMIT_PROBES;
    log(`submit → UNDER_REVIEW: median ${submitToReview.p50} ms`);
    await quiesce(sys);
    // One event at a time on an otherwise idle system: the propagation the pipeline costs without queueing.
    const idlePropagation = (await propagation(sys, probeFrom, probeTo)).filter((r) => r.scope !== 'consumer');

    const measure = async (run: () => Promise<LoadResult>): Promise<Phase> => {
      const countersBefore = await sys.counters();
      const cpu = await sys.cpuWindow();
      const load = await run();
      const cpuPercent = cpu();
      nextProgram += load.programsStarted;
      await quiesce(sys);
      const countersAfter = await sys.counters();
      const perTransition = (name: string, counter: 'statements' | 'httpRequests') =>
        round((countersAfter[name][counter] - countersBefore[name][counter]) / load.transitions);
      // Redis serves other sessions too: its CPU is shown but not charged to the transitions.
      const ownCpuSeconds = Object.entries(cpuPercent.cpuSeconds).filter(([name]) => !name.includes('shared')).reduce((sum, [, v]) => sum + v, 0);
      return {
        load: { ...load, from: load.from.toISOString(), to: load.to.toISOString() },
        cpuPercent,
        cpuMsPerTransition: round((ownCpuSeconds * 1000) / load.transitions),
        writeCallsPerTransition: Object.fromEntries(Object.entries(cpuPercent.writeCalls).map(([name, n]) => [name, round(n / load.transitions)])),
        // Counted until the system is quiet again: all the work the window's transitions caused.
        roundTripsPerTransition: {
          statements: Object.fromEntries(SERVICES.map((name) => [name, perTransition(name, 'statements')])),
          throughGateway: perTransition('gateway', 'httpRequests'),
        },
        deliveriesPerSecond: round(await deliveriesPerSecond(sys, new Date(load.from.getTime() + rampSeconds(load.seconds) * 1000), load.to)),
        propagation: await propagation(sys, load.from, load.to),
        queues: await queueTimes(sys, load.from, load.to),
        auditLag: await auditLag(sys, load.from, load.to),
      };
    };
    const headline = (p: Phase) => {
      const all = p.propagation.find((r) => r.scope === 'all')!;
      return `${round(p.load.transitionsPerSecond)} transitions/s, command p99 ${p.load.commandLatencyMs.p99} ms, propagation p99 ${all.p99} ms, failed ${p.load.programsFailed}`;
    };

    const openWindow = async (rate: number, again = '') => {
      log(`open loop${again}: ${rate} transitions/s (${round(rate / commandsPerProgram, 2)} programs/s) for ${PHASE_SECONDS} s`);
      const phase = await measure(() =>
        openLoop(newDriver(), { transitionsPerSecond: rate, commandsPerProgram, seconds: PHASE_SECONDS, firstProgram: nextProgram, maxInFlight: MAX_IN_FLIGHT }),
      );
      log(`open loop ${rate}/s${again}: ${headline(phase)}`);
      return phase;
    };
    const fixedRates: Phase[] = [];
    for (const rate of RATES) fixedRates.push(await openWindow(rate));
    // One window's p99 at the aim's rate moves several-fold between runs of the same code on this
    // machine: the aim is judged on the median of a few windows, as the maximum is.
    const aimRepeats: Phase[] = [];
    const aimRate = AIMS.propagationAtTransitionsPerSecond;
    const firstAtAim = fixedRates.find((p) => p.load.offered === aimRate);
    while (firstAtAim && aimRepeats.length + 1 < AIM_WINDOWS) {
      aimRepeats.push(await openWindow(aimRate, ` again (window ${aimRepeats.length + 2} of ${AIM_WINDOWS} at the aim's rate)`));
    }

    const sweep: Phase[] = [];
    for (const concurrency of SWEEP) {
      log(`closed loop: ${concurrency} programs in flight for ${SWEEP_SECONDS} s`);
      const phase = await measure(() => closedLoop(newDriver(), { concurrency, seconds: SWEEP_SECONDS, firstProgram: nextProgram }));
      log(`closed loop ${concurrency}: ${headline(phase)}`);
      sweep.push(phase);
      const best = Math.max(...sweep.map((p) => p.load.transitionsPerSecond));
      // Past the knee more programs in flight only queue longer: stop after two points below the best
      // (one alone may be the shared machine's noise).
      if (sweep.slice(-2).length === 2 && sweep.slice(-2).every((p) => p.load.transitionsPerSecond < 0.9 * best)) break;
    }
    const bestOfSweep = sweep.reduce((a, b) => (b.load.transitionsPerSecond > a.load.transitionsPerSecond ? b : a));
    // One window's best of several is biased upwards on a noisy machine: the maximum is the median of windows at that load.
    const maxRepeats: Phase[] = [];
    const concurrency = bestOfSweep.load.offered;
    while (maxRepeats.length + 1 < MAX_WINDOWS) {
      log(`closed loop again: ${concurrency} programs in flight for ${SWEEP_SECONDS} s (window ${maxRepeats.length + 2} of ${MAX_WINDOWS} at the maximum)`);
      const phase = await measure(() => closedLoop(newDriver(), { concurrency, seconds: SWEEP_SECONDS, firstProgram: nextProgram }));
      log(`closed loop ${concurrency}, again: ${headline(phase)}`);
      maxRepeats.push(phase);
    }
    const best = medianWindow([bestOfSweep, ...maxRepeats]);

    const peakRssMb = Object.fromEntries(Object.entries(sys.cluster.peakRss()).map(([name, bytes]) => [name, round(bytes / 1024 / 1024)]));
    const atAimWindows = firstAtAim ? [firstAtAim, ...aimRepeats] : [];
    const atAimRate = atAimWindows.length ? medianWindow(atAimWindows, propagationP99) : undefined;
    const p99At = (p: Phase | undefined) => (p ? propagationP99(p) : NaN);
    const ratio = best.load.transitionsPerSecond / queueFloor.max.perSecond;
    const bestStatements = Object.values(best.roundTripsPerTransition.statements).reduce((a, b) => a + b, 0);
    const roundTripMs =
      (bestStatements * roundTripCosts.statementUs.total + best.roundTripsPerTransition.throughGateway * roundTripCosts.httpRequestThroughProxyUs.total) / 1000;
    const roundTripBound = (cpus().length * 1000) / roundTripMs;
    const [{ server_version: postgres }] = await sys.query<{ server_version: string }>('SHOW server_version');
    const results: LifecycleResults = {
      ranAt: new Date().toISOString(),
      node: process.version,
      postgres,
      machine: {
        cpus: cpus().length,
        note: 'shared: other sessions run tests on the same 2 cores, Postgres and Redis; figures move with their load',
        loadAverageBefore: loadBefore.map((n) => round(n, 2)),
        loadAverageAfter: loadavg().map((n) => round(n, 2)),
      },
      setup: {
        layout: LAYOUT,
        processes: sys.cluster.names(),
        instancesPerService: 1,
        dbPoolSize: POOL_SIZE,
        restrictedParties: (await sys.query<{ active: number }>(`SELECT active FROM reviews.restricted_list_size`))[0].active,
        workerConcurrency: WORKER_CONCURRENCY,
        commandsPerProgram: round(commandsPerProgram, 2),
        warmUpSeconds: WARMUP_SECONDS,
        statisticsKeptBy: sys.autovacuum.describe(),
        through: 'gateway for every request',
      },
      floor: { postgres: postgresFloor, queue: queueFloor },
      roundTripCosts,
      requestCosts,
      submitToUnderReviewMs: submitToReview,
      idlePropagation,
      fixedRates,
      aimRepeats,
      sweep,
      maxRepeats,
      max: {
        concurrency: best.load.offered,
        transitionsPerSecond: round(best.load.transitionsPerSecond),
        windows: [bestOfSweep, ...maxRepeats].map((p) => round(p.load.transitionsPerSecond)),
      },
      peakRssMb,
      aims: AIMS,
      comparison: {
        propagationP99AtAimRateMs: p99At(atAimRate),
        propagationP99WindowsMs: atAimWindows.map(p99At),
        transitionsPerSecondAchievedAtAimRate: round(atAimRate?.load.transitionsPerSecond ?? NaN),
        propagationMet: p99At(atAimRate) < AIMS.propagationP99Ms,
        maxVsQueueFloor: round(ratio, 3),
        maxVsPostgresFloor: round(best.load.transitionsPerSecond / postgresFloor.perSecond, 3),
        deliveriesAtMaxVsQueueFloor: round(best.deliveriesPerSecond / queueFloor.max.perSecond, 3),
        throughputMet: ratio >= AIMS.maxThroughputVsQueueFloor,
        roundTripBoundAtMax: {
          cpuMsPerTransition: round(roundTripMs, 2),
          transitionsPerSecond: round(roundTripBound),
          vsQueueFloor: round(roundTripBound / queueFloor.max.perSecond, 3),
        },
      },
      durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    };
    const markdown = renderMarkdown(results);
    await mkdir(new URL('../../bench/results/', import.meta.url), { recursive: true });
    const name = LAYOUT === 'grouped' ? 'lifecycle-grouped' : 'lifecycle';
    await writeFile(new URL(`../../bench/results/${name}.json`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(new URL(`../../bench/results/${name}.md`, import.meta.url), markdown);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n\n${markdown}`);
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    await sys.stop();
  }
}

await main();
