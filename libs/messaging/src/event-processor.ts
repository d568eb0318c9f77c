import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CommandBus, type ICommand } from '@nestjs/cqrs';
import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import {
  EVENT_BATCH_JOB,
  SUBSCRIPTIONS,
  carriedEvents,
  type EventOf,
  type EventType,
  type ServiceName,
  type SubscribedEvent,
} from '#libs/contracts';
import { PinoLogger } from 'nestjs-pino';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { envelopeProblems } from './envelope-parser.js';
import { GroupCommit } from './group-commit.js';
import { Inbox } from './inbox.js';
import { MessagingMetrics } from './messaging.metrics.js';
import { OutboxRelay } from './relay.js';

// The messaging layer answers republish requests itself; only audit also records them.
type Handled<S extends ServiceName> = S extends 'audit'
  ? EventType
  : Exclude<SubscribedEvent<S>, 'audit.republish-requested'>;

/**
 * Jobs a service's event worker takes at once (its @Processor concurrency), and so the largest
 * group of events applied in one transaction. A job in flight holds a promise, not a connection;
 * a worker fills its free slots one round trip at a time before it starts them, so more slots
 * make deliveries wait longer after a group frees them (see EventProcessor's `workers`).
 */
export const EVENT_CONSUMER_CONCURRENCY = 16;
/**
 * Options of every worker (event queues, timers). A worker that dies holds its jobs' locks until
 * they expire; the stalled check then hands the jobs to another worker. Short locks (renewed every
 * 5 s while a job runs) bring a crashed worker's jobs back within about 15 s instead of up to a
 * minute, and a job whose workers crashed a few times in a row is still retried, not failed.
 */
export const workerOptions = (concurrency: number) =>
  ({ concurrency, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 5 }) as const;

/** Groups a service applies at the same time: its effects take several round trips each. */
const GROUP_WRITERS = 4;

/** One entry per subscribed event type: the compiler and the boot check keep it exhaustive. */
export type EventHandlers<S extends ServiceName> = {
  [T in Handled<S>]: (event: EventOf<T>) => ICommand;
};

/** What every event processor needs; one injectable keeps subclasses' constructors short. */
@Injectable()
export class ConsumerKit {
  constructor(
    @Inject(SERVICE_CONFIG) readonly config: ServiceConfig,
    readonly inbox: Inbox,
    readonly commandBus: CommandBus,
    readonly relay: OutboxRelay,
    readonly metrics: MessagingMetrics,
    /** The application's own logger (several services may share a process in tests). */
    readonly log: PinoLogger,
  ) {}
}

/**
 * The worker of a service's event queue. It only validates the delivered envelope and hands the
 * event to a command, inside the inbox transaction. Invalid envelopes are parked at once
 * (UnrecoverableError); failing effects are retried with backoff and parked after the last attempt.
 *
 * First deliveries taken at the same time are applied together (group commit, a few groups at a
 * time): one transaction, one inbox insert and one commit for the group, each event's command in
 * turn inside it. If any of them fails, the group rolls back and each is applied alone, so only
 * the failing event is retried. Retries are always applied alone. A job with the events of one
 * relay batch (EVENT_BATCH_JOB) adds them all to a group the same way.
 */
export abstract class EventProcessor<S extends ServiceName>
  extends WorkerHost
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  protected readonly logger = new Logger(this.constructor.name);
  protected abstract readonly handlers: EventHandlers<S>;
  private readonly group = new GroupCommit<EventOf<EventType>, PromiseSettledResult<boolean>>(
    (events) => this.applyTogether(events),
    EVENT_CONSUMER_CONCURRENCY,
    GROUP_WRITERS,
  );
  private readonly moreWorkers: Worker[] = [];

  constructor(
    protected readonly service: S,
    protected readonly kit: ConsumerKit,
    /**
     * Workers on the queue in this process, each with the @Processor's options. A BullMQ worker
     * refills its free slots one Redis round trip at a time and starts none of them until they are
     * full; several workers of a few slots each refill side by side, so a consumer that takes many
     * jobs at once does not hold them all back while its slots fill.
     */
    private readonly workers = 1,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    for (let i = 1; i < this.workers; i++) {
      const worker = new Worker(this.worker.name, (job: Job) => this.process(job), { ...this.worker.opts });
      worker.on('error', (err) => this.onWorkerError(err));
      this.moreWorkers.push(worker);
    }
  }

  /** With the worker Nest manages (closed at the same point): each finishes its jobs first. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.moreWorkers.map((worker) => worker.close()));
  }

  onModuleInit(): void {
    const missing = SUBSCRIPTIONS[this.service].filter(
      (t) => !(t in this.handlers) && (t !== 'audit.republish-requested' || this.service === 'audit'),
    );
    if (missing.length) {
      throw new Error(`${this.service} subscribes to ${missing.join(', ')} but has no handler for them`);
    }
  }

  /** Connection trouble is logged, not thrown: the worker reconnects by itself. */
  @OnWorkerEvent('error')
  onWorkerError(err: Error): void {
    this.logger.warn({ err: err.message }, 'event worker error');
  }

  async process(job: Job): Promise<boolean | boolean[]> {
    if (job.name === EVENT_BATCH_JOB) return this.processBatch(job);
    const problems = envelopeProblems(job.data, this.service);
    if (problems.length) {
      this.kit.metrics.failed.inc({ type: String(job.name) });
      throw new UnrecoverableError(`invalid event: ${problems.join('; ')}`);
    }
    return this.consumeCounted(job.data as EventOf<EventType>, job.attemptsMade === 0);
  }

  /**
   * The events of one relay batch, applied together. If one fails, the job fails and is retried
   * whole: the events already applied are then repeats, which the inbox skips. Invalid envelopes
   * park the job once the valid ones are applied, so a replay (after an upgrade that knows their
   * type, say) applies only what is missing.
   */
  private async processBatch(job: Job): Promise<boolean[]> {
    const events = carriedEvents(job.name, job.data);
    if (events.length === 0) throw new UnrecoverableError('invalid event batch: events must be a non-empty array');
    const checked = events.map((data) => ({ data, problems: envelopeProblems(data, this.service) }));
    const invalid = checked.flatMap(({ problems }, i) => (problems.length ? [`event ${i}: ${problems.join('; ')}`] : []));
    const valid = checked.filter(({ problems }) => problems.length === 0).map(({ data }) => data as EventOf<EventType>);
    const settled = await Promise.allSettled(valid.map((event) => this.consumeCounted(event, job.attemptsMade === 0)));
    const failure = settled.find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
    if (invalid.length) {
      this.kit.metrics.failed.inc({ type: EVENT_BATCH_JOB }, invalid.length);
      throw new UnrecoverableError(`invalid events in batch: ${invalid.join(' | ')}`);
    }
    return settled.map((r) => (r as PromiseFulfilledResult<boolean>).value);
  }

  private async consumeCounted(event: EventOf<EventType>, firstAttempt: boolean): Promise<boolean> {
    try {
      const applied = await this.consume(event, firstAttempt);
      (applied ? this.kit.metrics.consumed : this.kit.metrics.duplicates).inc({ type: event.type });
      return applied;
    } catch (err) {
      this.kit.metrics.failed.inc({ type: event.type });
      this.logger.warn({ err: (err as Error).message, eventId: event.eventId, type: event.type }, 'event failed');
      throw err;
    }
  }

  /** Applies a valid event once, in its inbox transaction; returns false for a repeat delivery. */
  protected async consume(event: EventOf<EventType>, firstAttempt: boolean): Promise<boolean> {
    if (!firstAttempt) return this.applyAlone(event);
    const result = await this.group.submit(event);
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  }

  private applyAlone(event: EventOf<EventType>): Promise<boolean> {
    return this.kit.inbox.apply(event, () => this.dispatch(event));
  }

  private async applyTogether(events: Array<EventOf<EventType>>): Promise<Array<PromiseSettledResult<boolean>>> {
    if (events.length > 1) {
      try {
        const applied = await this.kit.inbox.applyGroup(events, async (fresh) => {
          for (const event of fresh) await this.kit.inbox.inContextOf(event, () => this.dispatch(event));
        });
        return applied.map((value) => ({ status: 'fulfilled', value }));
      } catch {
        // One event's effect failed and the group rolled back: apply each alone, so only it fails.
        this.kit.metrics.groupFallbacks.inc();
      }
    }
    const results: Array<PromiseSettledResult<boolean>> = [];
    for (const event of events) {
      results.push(
        await this.applyAlone(event).then(
          (value) => ({ status: 'fulfilled', value }) as const,
          (reason: unknown) => ({ status: 'rejected', reason }) as const,
        ),
      );
    }
    return results;
  }

  private async dispatch(event: EventOf<EventType>): Promise<void> {
    // Inside the event's context: this line carries the correlation id of the request that caused it.
    this.kit.log.info({ eventId: event.eventId, type: event.type, source: event.source, consumer: this.service }, 'applying event');
    await this.kit.relay.answerRepublishRequest(event);
    const toCommand = (this.handlers as unknown as Partial<Record<string, (e: EventOf<EventType>) => ICommand>>)[event.type];
    if (toCommand) await this.kit.commandBus.execute(toCommand(event));
  }
}
