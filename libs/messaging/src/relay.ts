import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue, type JobsOptions } from 'bullmq';
import pg from 'pg';
import { DataSource } from 'typeorm';
import {
  EVENT_BATCH_JOB,
  SOURCE_HEAD_JOB,
  eventQueueName,
  subscribersOf,
  type EventBatch,
  type EventEnvelope,
  type EventOf,
  type EventType,
  type ServiceName,
  type SourceHead,
} from '#libs/contracts';
import { ChangeSignals, DrainLoop, SERVICE_CONFIG, bullConnection, type ServiceConfig } from '#libs/common';
import { planEachRun } from '#libs/persistence';
import { outboxChannel } from './messaging.migration.js';
import { MessagingMetrics } from './messaging.metrics.js';
import { RedisRestartWatcher } from './redis-restart.watcher.js';

const BATCH = 200;
/** How long a relay owns the rows it claimed: rows of a relay that died are published by another after it. */
const LEASE_SECONDS = 10;
/** How far before Redis was last seen alive to re-send: well over appendfsync's one second. */
const LOST_WINDOW_MS = 10_000;

type ClaimedRow = { id: string; envelope: EventEnvelope; created_at: Date; republished: number };

/**
 * Publishes committed outbox rows to the queue of every subscriber: a batch's events for one
 * subscriber as one job (EVENT_BATCH_JOB), a lone event as a job whose id is its eventId.
 * Woken by NOTIFY at commit, with a slow poll as a safety net. Rows are claimed with
 * FOR UPDATE SKIP LOCKED and a lease, so several relays share the work, and selected by "not yet
 * published" rather than by a high-water mark, so a row whose transaction commits late is never
 * skipped. A batch costs two statements: claim (numbering new rows), then mark published.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly schema: ServiceName;
  private readonly queues = new Map<ServiceName, Queue>();
  private listener: pg.Client | null = null;
  private readonly loop: DrainLoop;
  private headTimer: NodeJS.Timeout | null = null;
  private readonly claimSql: string;
  private readonly markPublishedSql: string;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly dataSource: DataSource,
    private readonly metrics: MessagingMetrics,
    redisWatcher: RedisRestartWatcher,
    private readonly signals: ChangeSignals,
  ) {
    this.schema = config.service as ServiceName;
    // The unpublished part of the outbox swings between empty and a backlog: plan at each run.
    this.claimSql = planEachRun(claimStatement(this.schema));
    this.markPublishedSql = planEachRun(markPublishedStatement(this.schema));
    this.loop = new DrainLoop(() => this.drain(), config.relayPollMs);
    redisWatcher.onRestart((lastSeenBefore) => this.republishSince(new Date(lastSeenBefore.getTime() - LOST_WINDOW_MS)));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
    this.loop.start();
    this.headTimer = setInterval(() => void this.reportHead(), this.config.relayHeadEveryMs).unref();
  }

  /** After the workers have finished their jobs, before the database closes: publish what they wrote. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.headTimer) clearInterval(this.headTimer);
    await this.loop.stop();
    await this.drain();
    await this.listener?.end().catch(() => undefined);
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }

  kick(): void {
    this.loop.kick();
  }

  /** Marks a range of this source's events unpublished, so they are published again (audit gap healing). */
  async republish(fromSeq: number, toSeq: number): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `UPDATE "${this.schema}".outbox SET published_at = NULL, claimed_until = NULL, republished = republished + 1
       WHERE source_seq BETWEEN $1 AND $2`,
      [fromSeq, toSeq],
    )) as [unknown, number];
    this.kick();
    return count;
  }

  /** Audit asks every source to publish a range again; the one it names answers. */
  async answerRepublishRequest(event: EventEnvelope): Promise<void> {
    if (event.type !== 'audit.republish-requested') return;
    const { source, fromSeq, toSeq } = (event as EventOf<'audit.republish-requested'>).payload;
    if (source === this.schema) await this.republish(fromSeq, toSeq);
  }

  /** After a Redis restart: publish again what was published since `since` (job ids and inboxes dedupe). */
  async republishSince(since: Date): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `UPDATE "${this.schema}".outbox SET published_at = NULL, claimed_until = NULL, republished = republished + 1
       WHERE published_at >= $1`,
      [since],
    )) as [unknown, number];
    this.kick();
    return count;
  }

  /**
   * Tells audit the highest `sourceSeq` given so far (SOURCE_HEAD_JOB), whether or not it changed:
   * a report lost with Redis is made good by the next. Every replica reports; audit keeps the highest.
   */
  private async reportHead(): Promise<void> {
    if (this.loop.isStopped) return;
    try {
      const [{ value }] = (await this.dataSource.query(`SELECT value FROM "${this.schema}".outbox_sequence WHERE id = 1`)) as [{ value: string }];
      const head: SourceHead = { source: this.schema, headSeq: Number(value) };
      if (head.headSeq === 0) return;
      await this.queue('audit').add(SOURCE_HEAD_JOB, head, { removeOnComplete: true, removeOnFail: true });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'outbox relay could not report its head; will retry');
    }
  }

  private async drain(): Promise<void> {
    try {
      while ((await this.publishBatch()) === BATCH);
    } catch (err) {
      // Redis or Postgres is down: the rows stay unpublished and the next poll tries again.
      this.logger.warn({ err: (err as Error).message }, 'outbox relay could not publish; will retry');
    }
  }

  /**
   * Claims up to BATCH unpublished rows for LEASE_SECONDS and gives the new ones their `sourceSeq`,
   * in id order, from the source's counter. One statement (its own transaction): the numbers are
   * committed before anything is sent, so a row keeps its number however often it is sent, and
   * the counter row is locked only while the statement runs. Relays sharing the work claim
   * disjoint rows and take turns at the counter, so the sequence stays gapless.
   *
   * Claims and marks share the service's pool on purpose. Run prepared on the relay's LISTEN
   * connection instead, a claim cost Postgres a third as much, but under load the relay no longer
   * waited for a pooled connection: it sent half as many events per job, and the system made a
   * fifth more socket writes per transition (lifecycle bench, interleaved runs).
   */
  private async claim(): Promise<ClaimedRow[]> {
    // An UPDATE answers [rows, count] through TypeORM.
    const [rows] = (await this.dataSource.query(this.claimSql, [BATCH, LEASE_SECONDS])) as [ClaimedRow[], number];
    // RETURNING keeps no order: publish in outbox order.
    return rows.sort((a, b) => Number(a.id) - Number(b.id));
  }

  private async publishBatch(): Promise<number> {
    const rows = await this.claim();
    if (rows.length === 0) return 0;
    const ids = rows.map((r) => r.id);
    try {
      await this.send(rows);
    } catch (err) {
      // Not sent: free the rows for the next attempt now rather than when the lease ends.
      await this.dataSource
        .query(`UPDATE "${this.schema}".outbox SET claimed_until = NULL WHERE id = ANY($1::bigint[]) AND published_at IS NULL`, [ids])
        .catch(() => undefined);
      throw err;
    }
    await this.dataSource.query(this.markPublishedSql, [ids, rows.map((r) => r.republished)]);
    this.metrics.published.inc(rows.length);
    this.metrics.outboxLag.set((Date.now() - rows[0].created_at.getTime()) / 1000);
    return rows.length;
  }

  private async send(rows: Array<{ envelope: EventEnvelope; republished: number }>): Promise<void> {
    const bySubscriber = new Map<ServiceName, Array<{ envelope: EventEnvelope; jobId: string }>>();
    for (const { envelope, republished } of rows) {
      // First publication: job id = event id. A re-send needs an id BullMQ does not keep yet.
      const jobId = republished === 0 ? envelope.eventId : `${envelope.eventId}-r${republished}`;
      for (const subscriber of subscribersOf(envelope.type as EventType)) {
        const events = bySubscriber.get(subscriber) ?? [];
        events.push({ envelope, jobId });
        bySubscriber.set(subscriber, events);
      }
    }
    await Promise.all([...bySubscriber].map(([subscriber, events]) => this.queue(subscriber).addBulk(this.jobs(events))));
  }

  /** A subscriber's events of one batch: one job carrying them all (its id: the first's and the count), or the one event's. */
  private jobs(events: Array<{ envelope: EventEnvelope; jobId: string }>) {
    if (events.length > 1) {
      const batch: EventBatch = { events: events.map((e) => e.envelope) };
      return [{ name: EVENT_BATCH_JOB, data: batch, opts: this.jobOptions(`${events[0].jobId}+${events.length}`) }];
    }
    return events.map(({ envelope, jobId }) => ({ name: envelope.type, data: envelope, opts: this.jobOptions(jobId) }));
  }

  private jobOptions(jobId: string): JobsOptions {
    return {
      jobId,
      attempts: this.config.eventAttempts,
      backoff: { type: 'exponential', delay: this.config.eventBackoffMs },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: false,
    };
  }

  queue(service: ServiceName): Queue {
    let queue = this.queues.get(service);
    if (!queue) {
      queue = new Queue(eventQueueName(service), {
        connection: bullConnection(this.config, 'producer'),
        prefix: this.config.redisPrefix,
      });
      queue.on('error', (err) => this.logger.warn({ err: err.message }, `queue ${service} error`));
      this.queues.set(service, queue);
    }
    return queue;
  }

  private async listen(): Promise<void> {
    if (this.loop.isStopped) return;
    const client = new pg.Client({ connectionString: this.config.databaseUrl, application_name: `cuentas-${this.schema}-relay` });
    client.on('notification', ({ payload }) => {
      this.kick();
      // The ids the committed events changed: GETs held for them read again.
      if (payload) this.signals.notify(payload.split(','));
    });
    client.on('error', () => {
      // Postgres went away: reconnect in the background; the poll keeps publishing meanwhile.
      this.listener = null;
      client.end().catch(() => undefined);
      setTimeout(() => void this.listen().catch(() => undefined), 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${outboxChannel(this.schema)}`);
      // Shut down while connecting: do not leave a connection behind.
      if (this.loop.isStopped) {
        await client.end();
        return;
      }
      this.listener = client;
    } catch (err) {
      client.end().catch(() => undefined);
      this.logger.warn({ err: (err as Error).message }, 'outbox LISTEN failed; polling until it reconnects');
      setTimeout(() => void this.listen().catch(() => undefined), 1000).unref();
    }
  }
}

/** Claims (and numbers) up to $1 unpublished rows for $2 seconds: see `OutboxRelay.claim`. */
function claimStatement(schema: string): string {
  const outbox = `"${schema}".outbox`;
  return `WITH claimable AS (
         SELECT id, source_seq FROM ${outbox}
         WHERE published_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
         ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
       ), fresh AS (
         SELECT id, row_number() OVER (ORDER BY id) AS n FROM claimable WHERE source_seq IS NULL
       ), counter AS (
         UPDATE "${schema}".outbox_sequence SET value = value + (SELECT count(*) FROM fresh)
         WHERE id = 1 AND EXISTS (SELECT 1 FROM fresh)
         RETURNING value - (SELECT count(*) FROM fresh) AS base
       ), numbered AS (
         SELECT c.id, c.source_seq IS NULL AS is_new, coalesce(c.source_seq, (SELECT base FROM counter) + f.n) AS seq
         FROM claimable c LEFT JOIN fresh f ON f.id = c.id
       )
       UPDATE ${outbox} o
       SET source_seq = numbered.seq,
           envelope = CASE WHEN numbered.is_new THEN jsonb_set(o.envelope, '{sourceSeq}', to_jsonb(numbered.seq)) ELSE o.envelope END,
           claimed_until = now() + make_interval(secs => $2)
       FROM numbered WHERE o.id = numbered.id
       RETURNING o.id, o.envelope, o.created_at, o.republished`;
}

/** Marks sent rows published; a row asked to be republished meanwhile (its count moved on) stays unpublished. */
function markPublishedStatement(schema: string): string {
  return `UPDATE "${schema}".outbox o SET published_at = now(), claimed_until = NULL
       FROM unnest($1::bigint[], $2::int[]) AS sent (id, republished)
       WHERE o.id = sent.id AND o.republished = sent.republished`;
}
