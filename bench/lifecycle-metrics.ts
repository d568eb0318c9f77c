/**
 * What the services' own tables tell about a window of the run: event propagation (outbox row of
 * the source → inbox row of each subscriber) and audit lag, computed in SQL with percentile_cont.
 *
 * Both `outbox.created_at` and `inbox.received_at` default to now(), the start of their
 * transaction: a hop is "source transaction began → consumer's inbox transaction began". The
 * relay stamps `published_at` once BullMQ has the jobs, which splits a hop into commit + relay
 * pick-up + addBulk, and queue + worker pick-up.
 */
import { Redis } from 'ioredis';
import { SERVICES, eventQueueName } from '#libs/contracts';
import { summarize, type Summary } from './lifecycle-stats.js';
import type { BenchSystem } from './lifecycle-system.js';

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface PropagationRow extends Percentiles {
  /** 'all', 'services' (consumers other than audit) or 'audit'. */
  scope: string;
  /** null for the scope as a whole. */
  type: string | null;
  consumer: string | null;
  /** Source transaction start → the relay marked the row published (commit, NOTIFY, relay wake-up, claim, addBulk). */
  toRelayP50: number;
  toRelayP99: number;
  /** Marked published → the consumer's inbox transaction (BullMQ, worker pick-up). */
  relayToInboxP50: number;
  relayToInboxP99: number;
}

export interface AuditLag {
  /** ledger.recorded_at − ledger.occurred_at: the event's occurrence to its chained entry. */
  occurredToChained: Percentiles;
  /** audit.inbox.received_at → ledger.recorded_at: accepted into the intake → chained. */
  intakeToChained: Percentiles;
}

const union = (select: (schema: string) => string) => SERVICES.map(select).join(' UNION ALL ');

const percentiles = (expr: string, suffix = '') =>
  `count(*)::int AS count${suffix},
   percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expr}) AS p50${suffix},
   percentile_cont(0.95) WITHIN GROUP (ORDER BY ${expr}) AS p95${suffix},
   percentile_cont(0.99) WITHIN GROUP (ORDER BY ${expr}) AS p99${suffix},
   max(${expr}) AS max${suffix}`;

const ms = (from: string, to: string) => `(extract(epoch FROM ${to} - ${from}) * 1000)`;
const round = (n: unknown) => (n === null ? NaN : Math.round(Number(n) * 100) / 100);

export async function propagation(sys: BenchSystem, from: Date, to: Date): Promise<PropagationRow[]> {
  const rows = await sys.query(
    `WITH outbox AS (${union((s) => `SELECT event_id, type, created_at, published_at FROM "${s}".outbox`)}),
          inbox AS (${union((s) => `SELECT '${s}'::text AS consumer, event_id, received_at FROM "${s}".inbox`)}),
          hops AS (
            SELECT i.consumer, o.type, CASE WHEN i.consumer = 'audit' THEN 'audit' ELSE 'services' END AS scope,
                   ${ms('o.created_at', 'i.received_at')} AS total,
                   ${ms('o.created_at', 'o.published_at')} AS to_relay,
                   ${ms('o.published_at', 'i.received_at')} AS relay_to_inbox
            FROM outbox o JOIN inbox i USING (event_id)
            WHERE o.created_at >= $1 AND o.created_at < $2)
     SELECT CASE WHEN GROUPING(scope) = 1 THEN 'all' ELSE scope END AS scope, type, consumer,
            ${percentiles('total')},
            percentile_cont(0.5) WITHIN GROUP (ORDER BY to_relay) AS to_relay_p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY to_relay) AS to_relay_p99,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY relay_to_inbox) AS relay_to_inbox_p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY relay_to_inbox) AS relay_to_inbox_p99
     FROM hops
     GROUP BY GROUPING SETS ((), (scope), (scope, type), (consumer))
     ORDER BY GROUPING(scope) DESC, scope, consumer NULLS FIRST, type NULLS FIRST`,
    [from, to],
  );
  return rows.map((r) => ({
    scope: r.consumer ? 'consumer' : String(r.scope),
    type: (r.type as string | null) ?? null,
    consumer: (r.consumer as string | null) ?? null,
    count: Number(r.count),
    p50: round(r.p50),
    p95: round(r.p95),
    p99: round(r.p99),
    max: round(r.max),
    toRelayP50: round(r.to_relay_p50),
    toRelayP99: round(r.to_relay_p99),
    relayToInboxP50: round(r.relay_to_inbox_p50),
    relayToInboxP99: round(r.relay_to_inbox_p99),
  }));
}

export async function auditLag(sys: BenchSystem, from: Date, to: Date): Promise<AuditLag> {
  const [row] = await sys.query(
    `SELECT ${percentiles(ms('l.occurred_at::timestamptz', 'l.recorded_at::timestamptz'), '_a')},
            ${percentiles(ms('i.received_at', 'l.recorded_at::timestamptz'), '_b')}
     FROM audit.ledger l JOIN audit.inbox i USING (event_id)
     WHERE l.occurred_at::timestamptz >= $1 AND l.occurred_at::timestamptz < $2`,
    [from, to],
  );
  const pick = (suffix: string): Percentiles => ({
    count: Number(row[`count${suffix}`]),
    p50: round(row[`p50${suffix}`]),
    p95: round(row[`p95${suffix}`]),
    p99: round(row[`p99${suffix}`]),
    max: round(row[`max${suffix}`]),
  });
  return { occurredToChained: pick('_a'), intakeToChained: pick('_b') };
}

/**
 * Event deliveries per second between `from` and `to`: inbox rows of every consumer, audit
 * included. Each is the floor's unit of work downstream of a commit: a BullMQ hop to a consumer
 * whose transaction writes rows.
 */
export async function deliveriesPerSecond(sys: BenchSystem, from: Date, to: Date): Promise<number> {
  const [{ n }] = await sys.query<{ n: string }>(
    `SELECT count(*) AS n FROM (${SERVICES.map((s) => `SELECT received_at FROM "${s}".inbox`).join(' UNION ALL ')}) r
     WHERE received_at >= $1 AND received_at < $2`,
    [from, to],
  );
  return Number(n) / ((to.getTime() - from.getTime()) / 1000);
}

/**
 * Waits until the system has nothing left in flight: every outbox row published, every event
 * chained in the audit ledger, and no inbox growing any more; so one phase's tail does not land
 * in the next phase's figures.
 */
export async function quiesce(sys: BenchSystem, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let previous = '';
  for (;;) {
    const [row] = await sys.query(
      `SELECT (${SERVICES.map((s) => `(SELECT count(*) FROM "${s}".outbox WHERE published_at IS NULL)`).join(' + ')}) AS unpublished,
              (${SERVICES.map((s) => `(SELECT count(*) FROM "${s}".outbox)`).join(' + ')}) AS events,
              (SELECT count(*) FROM audit.ledger) AS chained,
              (${SERVICES.map((s) => `(SELECT count(*) FROM "${s}".inbox)`).join(' + ')}) AS received`,
    );
    const state = `${row.events}/${row.chained}/${row.received}`;
    if (Number(row.unpublished) === 0 && row.events === row.chained && state === previous) return;
    if (Date.now() > deadline) throw new Error(`the system did not settle within ${timeoutMs / 1000} s (${JSON.stringify(row)})`);
    previous = state;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface QueueTimes {
  jobs: number;
  /** Events those jobs carried: more than jobs where the subscriber takes a relay batch as one job. */
  events: number;
  /** Added to the queue → taken by a worker (backlog and pick-up). */
  waitMs: Summary;
  /** Taken by the worker → its inbox transaction began (envelope check, waiting for a pooled connection). */
  toTransactionMs: Summary;
  /** Taken by the worker → completed (the above, the inbox transaction and the effect). */
  processMs: Summary;
}

/**
 * BullMQ's own timestamps of the jobs each service's event queue completed for events added in the
 * window (completed jobs are kept, up to 10,000 per queue; job id = event id, or for a batch the
 * first event's id and `+count`), joined with the consumer's inbox: the consumer half of a hop
 * split into waiting, reaching a transaction, and work.
 */
export async function queueTimes(sys: BenchSystem, from: Date, to: Date): Promise<Record<string, QueueTimes>> {
  const redis = new Redis(sys.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const entries = await Promise.all(
      SERVICES.map(async (service) => {
        const key = `${sys.redisPrefix}:${eventQueueName(service)}`;
        const ids = await redis.zrangebyscore(`${key}:completed`, from.getTime(), '+inf');
        const pipeline = redis.pipeline();
        for (const id of ids) pipeline.hmget(`${key}:${id}`, 'timestamp', 'processedOn', 'finishedOn');
        const jobs = ((await pipeline.exec()) ?? [])
          // The event a job is timed by: its own, or its batch's first (the batch shares one transaction).
          .map(([, fields], i) => ({
            id: ids[i].slice(0, 36),
            events: Number(/\+(\d+)$/.exec(ids[i])?.[1] ?? 1),
            times: (fields as Array<string | null>).map(Number),
          }))
          .filter(({ times: [added] }) => added >= from.getTime() && added < to.getTime());
        const received = new Map(
          (
            await sys.query<{ event_id: string; received_ms: string }>(
              `SELECT event_id, extract(epoch FROM received_at) * 1000 AS received_ms FROM "${service}".inbox WHERE event_id = ANY($1::uuid[])`,
              [jobs.map((j) => j.id)],
            )
          ).map((row) => [row.event_id, Number(row.received_ms)]),
        );
        return [
          service,
          {
            jobs: jobs.length,
            events: jobs.reduce((n, j) => n + j.events, 0),
            waitMs: summarize(jobs.map(({ times: [added, taken] }) => taken - added)),
            toTransactionMs: summarize(jobs.filter((j) => received.has(j.id)).map((j) => received.get(j.id)! - j.times[1])),
            processMs: summarize(jobs.map(({ times: [, taken, done] }) => done - taken)),
          },
        ] as const;
      }),
    );
    return Object.fromEntries(entries);
  } finally {
    redis.disconnect();
  }
}
