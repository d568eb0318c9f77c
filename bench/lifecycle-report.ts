import type { PostgresFloor, QueueFloor } from './floor.js';
import type { LoadResult } from './lifecycle-load.js';
import type { AuditLag, PropagationRow, QueueTimes } from './lifecycle-metrics.js';
import type { Summary } from './lifecycle-stats.js';
import type { CpuWindow, Layout } from './lifecycle-system.js';
import type { RequestCost } from './request-costs.js';
import type { RoundTripCosts } from './round-trips.js';

export interface Phase {
  load: Omit<LoadResult, 'from' | 'to'> & { from: string; to: string };
  cpuPercent: CpuWindow;
  /** CPU of the system's own processes (services, gateway, Postgres backends, the driver) per transition. */
  cpuMsPerTransition: number;
  /** write/writev system calls per transition, per process (Postgres excepted), over the phase. */
  writeCallsPerTransition: Record<string, number>;
  /** Statements each service sent to Postgres, and requests through the gateway, per transition (until quiet again). */
  roundTripsPerTransition: { statements: Record<string, number>; throughGateway: number };
  /** Event deliveries (inbox rows, every consumer) per second in the steady part of the window. */
  deliveriesPerSecond: number;
  propagation: PropagationRow[];
  /** Per consumer's event queue: BullMQ wait and processing times. */
  queues: Record<string, QueueTimes>;
  auditLag: AuditLag;
}

export interface LifecycleResults {
  ranAt: string;
  node: string;
  postgres: string;
  machine: { cpus: number; note: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  setup: {
    layout: Layout;
    processes: string[];
    instancesPerService: number;
    dbPoolSize: number;
    /** Active parties on the restricted list every review opened is checked against. */
    restrictedParties: number;
    workerConcurrency: number;
    commandsPerProgram: number;
    /** Closed-loop load (32 programs in flight) before anything is measured, so the JIT has optimised the hot paths. */
    warmUpSeconds: number;
    /** Who vacuumed and analysed the database during the run (see AutovacuumStandIn). */
    statisticsKeptBy: string;
    through: string;
  };
  floor: { postgres: PostgresFloor; queue: QueueFloor };
  roundTripCosts: RoundTripCosts;
  /** CPU per request of each kind, per process, on the otherwise idle system. */
  requestCosts: RequestCost[];
  submitToUnderReviewMs: Summary & { polls: number };
  /** Propagation during the sequential submit probe (program.submitted, review.opened, program.under-review). */
  idlePropagation: PropagationRow[];
  fixedRates: Phase[];
  /** Open-loop windows run again at the propagation aim's rate: the aim is judged on the median p99 of those and the first. */
  aimRepeats: Phase[];
  sweep: Phase[];
  /** Closed-loop windows run again at the sweep's best concurrency, so the maximum is a median as the floor's is. */
  maxRepeats: Phase[];
  /** The median throughput of the windows at `concurrency` (the sweep's best and its repeats), and each of theirs. */
  max: { concurrency: number; transitionsPerSecond: number; windows: number[] };
  peakRssMb: Record<string, number>;
  aims: { propagationP99Ms: number; propagationAtTransitionsPerSecond: number; maxThroughputVsQueueFloor: number };
  comparison: {
    /** The median of the windows' p99s at the aim's rate, and each of theirs. */
    propagationP99AtAimRateMs: number;
    propagationP99WindowsMs: number[];
    transitionsPerSecondAchievedAtAimRate: number;
    propagationMet: boolean;
    maxVsQueueFloor: number;
    maxVsPostgresFloor: number;
    /** Event deliveries per second at the maximum against floor (b): the same unit of work. */
    deliveriesAtMaxVsQueueFloor: number;
    throughputMet: boolean;
    /** The maximum's round trips priced at the bare costs: the CPU they need with every framework free, and the throughput that allows. */
    roundTripBoundAtMax: { cpuMsPerTransition: number; transitionsPerSecond: number; vsQueueFloor: number };
  };
  durationSeconds: number;
}

const r = (n: number, digits = 1) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : 'n/a');
const pct = (s: { p50: number; p95: number; p99: number }) => `${r(s.p50)} / ${r(s.p95)} / ${r(s.p99)}`;
const yes = (met: boolean) => (met ? 'yes' : 'no');
const label = (p: Phase) => (p.load.mode === 'open' ? `open ${p.load.offered}/s` : `closed ×${p.load.offered}`);

/** A window's p99 propagation over every consumer (NaN when nothing propagated). */
export const propagationP99 = (p: Phase): number => p.propagation.find((x) => x.scope === 'all')?.p99 ?? NaN;

/** The window whose `by` (its throughput unless told) is the median of `windows` (the lower middle of an even count). */
export function medianWindow(windows: Phase[], by: (p: Phase) => number = (p) => p.load.transitionsPerSecond): Phase {
  const sorted = [...windows].sort((a, b) => by(a) - by(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** The window the figures "at the aim's rate" come from: the median p99 of those at that rate. */
function atAimRate(res: LifecycleResults): Phase | undefined {
  const first = res.fixedRates.find((p) => p.load.offered === res.aims.propagationAtTransitionsPerSecond);
  return first && medianWindow([first, ...res.aimRepeats], propagationP99);
}

/** The window the figures "at the maximum" come from: the median of those at the maximum's concurrency. */
function atMax(res: LifecycleResults): Phase | undefined {
  const best = res.sweep.find((p) => p.load.offered === res.max.concurrency);
  return best && medianWindow([best, ...res.maxRepeats]);
}

/** Every measured window with its row label, in the order run. */
const windows = (res: LifecycleResults): Array<[string, Phase]> => {
  const named = (phases: Phase[], again = '') => phases.map((p) => [`${label(p)}${again}`, p] as [string, Phase]);
  return [...named(res.fixedRates), ...named(res.aimRepeats, ', again'), ...named(res.sweep), ...named(res.maxRepeats, ', again')];
};

const totalWrites = (p: Phase) => Object.values(p.writeCallsPerTransition).reduce((a, b) => a + b, 0);

function phaseRows(phases: Array<[string, Phase]>): string[] {
  return phases.map(([name, p]) => {
    const all = p.propagation.find((x) => x.scope === 'all');
    const services = p.propagation.find((x) => x.scope === 'services' && !x.type);
    const audit = p.propagation.find((x) => x.scope === 'audit' && !x.type);
    return [
      name,
      r(p.load.transitionsPerSecond),
      r(p.deliveriesPerSecond),
      pct(p.load.commandLatencyMs),
      all ? pct(all) : 'n/a',
      services ? pct(services) : 'n/a',
      audit ? pct(audit) : 'n/a',
      pct(p.auditLag.occurredToChained),
      `${p.load.programsStarted} / ${p.load.programsFailed}${p.load.programsSkipped ? ` (+${p.load.programsSkipped} not started)` : ''}`,
      r(p.load.readsPerSecond, 0),
      r(p.cpuMsPerTransition),
      r(totalWrites(p)),
      `${p.cpuPercent.machineBusyPercent}%`,
    ].join(' | ');
  });
}

/** The results as a short Markdown page (bench/results/lifecycle.md). */
export function renderMarkdown(res: LifecycleResults): string {
  const { floor, comparison: c, aims } = res;
  const atAim = atAimRate(res) ?? res.fixedRates.at(-1);
  const best = atMax(res);
  const detail = atAim ?? best;
  const processes = Object.keys(res.peakRssMb);
  const writers = Object.keys(res.sweep[0]?.writeCallsPerTransition ?? res.fixedRates[0]?.writeCallsPerTransition ?? {});
  return [
    `# Lifecycle benchmark (${res.ranAt})`,
    '',
    `Node ${res.node}; Postgres ${res.postgres}; ${res.machine.cpus} CPU cores, **shared** with other sessions (load average ${res.machine.loadAverageBefore.join(' / ')} before, ${res.machine.loadAverageAfter.join(' / ')} after). ` +
      `${res.setup.layout === 'grouped' ? `Two processes, each running three apps (scripts/host.ts): ${res.setup.processes.join(' and ')}` : 'One process per service plus the gateway'}; every request through the gateway; DB pool ${res.setup.dbPoolSize} per service; ${res.setup.restrictedParties} parties on the restricted list; ` +
      `${res.setup.commandsPerProgram} state-changing commands (transitions) per program; measured after a ${res.setup.warmUpSeconds} s warm-up at 32 programs in flight; table statistics kept by ${res.setup.statisticsKeptBy}. All figures come from this one run (${res.durationSeconds} s).`,
    '',
    '## Aims',
    '',
    '| aim | measured | met |',
    '|---|---|---|',
    `| p99 event propagation < ${aims.propagationP99Ms} ms at ${aims.propagationAtTransitionsPerSecond} transitions/s | ${r(c.propagationP99AtAimRateMs)} ms, the median of ${c.propagationP99WindowsMs.length} windows (${c.propagationP99WindowsMs.map((ms) => r(ms)).join(' / ')}) (offered ${aims.propagationAtTransitionsPerSecond}/s, achieved ${r(c.transitionsPerSecondAchievedAtAimRate)}/s) | ${yes(c.propagationMet)} |`,
    `| (for reference) p99 propagation < ${aims.propagationP99Ms} ms one event at a time (submit probe) | ${r(res.idlePropagation.find((x) => x.scope === 'all')?.p99 ?? NaN)} ms | ${yes((res.idlePropagation.find((x) => x.scope === 'all')?.p99 ?? Infinity) < aims.propagationP99Ms)} |`,
    `| max throughput ≥ ${aims.maxThroughputVsQueueFloor} × floor (${r(floor.queue.max.perSecond, 0)} Postgres tx + BullMQ hops/s) | ${res.max.transitionsPerSecond} transitions/s = ${c.maxVsQueueFloor} × | ${yes(c.throughputMet)} |`,
    `| (for reference) event deliveries at that maximum, each a BullMQ hop to a consumer transaction (the floor's unit) | ${r(best?.deliveriesPerSecond ?? NaN)} deliveries/s = ${c.deliveriesAtMaxVsQueueFloor} × | |`,
    '',
    '## Floor (same run, before the services start)',
    '',
    '| floor | throughput | latency p50 / p95 / p99 ms |',
    '|---|---|---|',
    `| (a) Postgres BEGIN; INSERT; COMMIT, ${floor.postgres.clients} clients | ${r(floor.postgres.perSecond, 0)} tx/s | ${pct(floor.postgres.latencyMs)} |`,
    `| (b) Postgres transaction (one row), then BullMQ add → worker (${floor.queue.worker}, concurrency ${floor.queue.concurrency}) → row committed, paced ${floor.queue.paced.perSecond}/s | | ${pct(floor.queue.paced.latencyMs)} |`,
    `| (b) same, ${floor.queue.max.jobs} as fast as the producers go, median of ${floor.queue.max.bursts.length} bursts (${floor.queue.max.bursts.join(' / ')}) | ${r(floor.queue.max.perSecond, 0)} tx + hops/s | ${pct(floor.queue.max.latencyMs)} (queueing) |`,
    '',
    '## Lifecycle through the gateway',
    '',
    'Transitions/s counted in the steady part of each window (after the first 5 s); latencies in ms as p50 / p95 / p99. ' +
      'Propagation: source outbox row → each subscriber inbox row (both stamped with their transaction start); "services" excludes audit. ' +
      'Deliveries: inbox rows written by every consumer, audit included. Driver GETs are the LifecycleDriver\'s reads of the effects it waits on, each held by the service until the effect commits (Prefer: wait). CPU per transition: services, gateway, this database\'s Postgres backends and the driver, over the phase and its drain. ' +
      'Writes per transition: write/writev system calls of the Node processes (services, gateway, driver) and Redis, over the same span (Postgres answers with send(), which Linux does not count there); a count that, unlike CPU time, does not depend on how busy other sessions keep the machine.',
    '',
    '| load | transitions/s | deliveries/s | command latency | propagation, all | propagation, services | propagation, to audit | audit lag (occurred → chained) | programs started / failed | driver GETs/s | CPU ms per transition | writes per transition | machine CPU busy |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...phaseRows(windows(res)).map((row) => `| ${row} |`),
    '',
    `Maximum: **${res.max.transitionsPerSecond} transitions/s** with ${res.max.concurrency} programs in flight (closed loop): the median of ${res.max.windows.length} windows at that load (${res.max.windows.join(' / ')}), as floor (b) is the median of its bursts.`,
    '',
    'Write system calls per transition, by process:',
    '',
    `| load | ${writers.join(' | ')} |`,
    `|---|${writers.map(() => '---').join('|')}|`,
    ...windows(res).map(([name, p]) => `| ${name} | ${writers.map((w) => r(p.writeCallsPerTransition[w] ?? NaN)).join(' | ')} |`),
    '',
    ...roundTripSection(res, best),
    `Median time from POST /programs/:id/submit answering to GET reading UNDER_REVIEW (idle system, ${res.submitToUnderReviewMs.count} programs one at a time, polling every 5 ms): **${res.submitToUnderReviewMs.p50} ms** (p95 ${res.submitToUnderReviewMs.p95} ms).`,
    '',
    'Propagation during that sequential probe (no queueing; p50 / p95 / p99 ms, to relay p50, relay → inbox p50): ' +
      res.idlePropagation
        .filter((x) => !x.type)
        .map((x) => `${x.scope} ${pct(x)} (${r(x.toRelayP50)} + ${r(x.relayToInboxP50)})`)
        .join('; ') +
      '.',
    '',
    ...(detail
      ? [
          `## Where propagation time goes (${label(detail)})`,
          '',
          '"to relay": source transaction start → the relay marks the row published (commit, NOTIFY, relay wake-up, claim, addBulk); "relay → inbox": marked published → consumer inbox transaction (BullMQ, worker pick-up).',
          '',
          '| scope | event type / consumer | hops | p50 / p95 / p99 ms | to relay p50 / p99 | relay → inbox p50 / p99 |',
          '|---|---|---|---|---|---|',
          ...detail.propagation
            .filter((x) => x.scope !== 'all')
            .map(
              (x) =>
                `| ${x.scope} | ${x.type ?? x.consumer ?? '(all)'} | ${x.count} | ${pct(x)} | ${r(x.toRelayP50)} / ${r(x.toRelayP99)} | ${r(x.relayToInboxP50)} / ${r(x.relayToInboxP99)} |`,
            ),
          '',
          'Consumer queues (BullMQ timestamps joined with the inbox), p50 / p99 ms: added → taken by the worker; taken → inbox transaction began (envelope check, waiting for a pooled connection); taken → completed.',
          '',
          '| queue | jobs | events | wait | taken → transaction | taken → completed |',
          '|---|---|---|---|---|---|',
          ...Object.entries(detail.queues).map(
            ([service, q]) =>
              `| ${service}-events | ${q.jobs} | ${q.events} | ${r(q.waitMs.p50)} / ${r(q.waitMs.p99)} | ${r(q.toTransactionMs.p50)} / ${r(q.toTransactionMs.p99)} | ${r(q.processMs.p50)} / ${r(q.processMs.p99)} |`,
          ),
          '',
          `Audit: intake → chained p50 / p95 / p99 ${pct(detail.auditLag.intakeToChained)} ms. Command latency per step: ` +
            Object.entries(detail.load.stepLatencyMs)
              .map(([step, s]) => `${step} ${r(s.p50)}/${r(s.p99)}`)
              .join(', ') +
            ' ms (p50/p99).',
          '',
          `CPU during that window (% of one core): ${Object.entries(detail.cpuPercent.perProcess).map(([n, v]) => `${n} ${v}%`).join(', ')}; machine ${detail.cpuPercent.machineBusyPercent}% busy.`,
          '',
        ]
      : []),
    '## Peak memory (RSS, whole run)',
    '',
    `| ${processes.join(' | ')} |`,
    `|${processes.map(() => '---').join('|')}|`,
    `| ${processes.map((p) => `${res.peakRssMb[p]} MB`).join(' | ')} |`,
    '',
  ].join('\n');
}

const statementsOf = (p: Phase) => Object.values(p.roundTripsPerTransition.statements).reduce((a, b) => a + b, 0);

/** Round trips per transition, and what they would cost with no framework at all. */
function roundTripSection(res: LifecycleResults, best: Phase | undefined): string[] {
  const services = Object.keys(res.sweep[0]?.roundTripsPerTransition.statements ?? {});
  const { statementUs: sql, httpRequestThroughProxyUs: http } = res.roundTripCosts;
  const bound = res.comparison.roundTripBoundAtMax;
  return [
    '## Round trips per transition, and what they alone cost',
    '',
    'Statements each service sent to Postgres (its `db_queries_total`) and requests through the gateway (its `http_requests_total`), from the start of each window until the system is quiet again, per transition.',
    '',
    `| load | statements | ${services.join(' | ')} | requests through the gateway |`,
    `|---|---|${services.map(() => '---').join('|')}|---|`,
    ...windows(res).map(
      ([name, p]) => `| ${name} | ${r(statementsOf(p))} | ${services.map((s) => r(p.roundTripsPerTransition.statements[s] ?? NaN)).join(' | ')} | ${r(p.roundTripsPerTransition.throughGateway)} |`,
    ),
    '',
    `Measured in this run with no framework: a prepared one-row SELECT costs **${sql.total} µs** of CPU (pg client ${sql.client}, Postgres backend ${sql.backend}); ` +
      `a GET through a bare Node proxy **${http.total} µs** (client ${http.client}, proxy ${http.proxy}, server ${http.server}). ` +
      (best
        ? `At the maximum (closed ×${best.load.offered}) a transition makes ${r(statementsOf(best))} statements and ${r(best.roundTripsPerTransition.throughGateway)} requests: ` +
          `**${bound.cpuMsPerTransition} ms** of CPU at those prices, against ${r(best.cpuMsPerTransition)} ms measured. ` +
          `With NestJS, TypeORM, BullMQ, Redis and our own code all free, ${res.machine.cpus} cores would carry at most **${r(bound.transitionsPerSecond, 0)} transitions/s = ${bound.vsQueueFloor} × floor**.`
        : ''),
    '',
    ...requestCostTable(res),
  ];
}

/** CPU per request of each kind beside the bare server's and proxy's: what the frameworks add to one request. */
function requestCostTable(res: LifecycleResults): string[] {
  const costs = res.requestCosts;
  const processes = [...new Set(costs.flatMap((c) => Object.keys(c.cpuUs)))];
  const { httpRequestThroughProxyUs: http } = res.roundTripCosts;
  return [
    'CPU µs per request of each kind, one kind at a time on the otherwise idle system (16 in flight, after a warm-up; each process\'s idle CPU taken off; a command counted until the system is quiet again, its relay and audit work included). "bench" is the client.',
    '',
    `| request | requests/s | ${processes.join(' | ')} | total |`,
    `|---|---|${processes.map(() => '---').join('|')}|---|`,
    ...costs.map(
      (c) => `| ${c.request} | ${c.perSecond} | ${processes.map((p) => c.cpuUs[p] ?? '').join(' | ')} | ${Object.values(c.cpuUs).reduce((a, b) => a + b, 0)} |`,
    ),
    '',
    `For comparison, in this run a bare Node server answers a GET for **${http.server} µs** and a bare Node proxy passes one on for **${http.proxy} µs**.`,
    '',
  ];
}
