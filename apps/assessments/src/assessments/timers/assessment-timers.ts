import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { TransactionRunner } from '#libs/persistence';
import type { AssessmentStatus } from '#libs/contracts';
import { SERVICE_CONFIG, bullConnection, type ServiceConfig } from '#libs/common';

/** The queue of this service's durable timers: one delayed job per moment a point must change. */
export const ASSESSMENT_TIMERS_QUEUE = 'assessments-timers';

export type TimerMoment = 'due' | 'overdue';

export interface TimerData {
  pointId: string;
  moment: TimerMoment;
  /** The instant the timer was set for; a timer for an instant the point no longer has is stale. */
  at: string;
}

export interface Timer {
  id: string;
  data: TimerData;
}

/** What a point's timers depend on. */
export interface TimedPoint {
  id: string;
  status: AssessmentStatus;
  dueAt: Date;
  overdueAt: Date;
}

/**
 * The timers a point needs now: a SCHEDULED point turns DUE and then OVERDUE, a DUE point OVERDUE.
 * The job id names the point, the moment and the instant, so arming the same timer twice, from
 * two instances or from a sweep, leaves one job.
 */
export function timersOf(point: TimedPoint): Timer[] {
  const moments: Array<[TimerMoment, Date]> =
    point.status === 'SCHEDULED'
      ? [['due', point.dueAt], ['overdue', point.overdueAt]]
      : point.status === 'DUE'
        ? [['overdue', point.overdueAt]]
        : [];
  return moments.map(([moment, at]) => ({
    id: `${moment}-${point.id}-${at.getTime()}`,
    data: { pointId: point.id, moment, at: at.toISOString() },
  }));
}

/** A failing timer (database down) retries for about an hour, then the sweep arms it again. */
const TIMER_ATTEMPTS = 12;
const TIMER_BACKOFF_MS = 1000;

/** Arms and disarms timers in Redis; only ever after the state they follow has committed. */
@Injectable()
export class AssessmentTimers implements OnApplicationShutdown {
  private readonly logger = new Logger(AssessmentTimers.name);
  /** A producer connection fails fast when Redis is down, so a commit never waits on it for long. */
  readonly queue: Queue<TimerData>;

  constructor(
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    private readonly tx: TransactionRunner,
  ) {
    this.queue = new Queue<TimerData>(ASSESSMENT_TIMERS_QUEUE, {
      connection: bullConnection(config, 'producer'),
      prefix: config.redisPrefix,
    });
    this.queue.on('error', (err) => this.logger.warn({ err: err.message }, 'timer queue error'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }

  /** After the transaction commits: removes the timers `before` had that `after` no longer has, and arms `after`'s. */
  follow(before: readonly Timer[], after: readonly Timer[]): Promise<void> {
    const kept = new Set(after.map((t) => t.id));
    const stale = before.filter((t) => !kept.has(t.id));
    // A failure here is healed by the timer sweep, which re-arms every open point.
    return this.tx.afterCommit(async () => {
      await this.disarm(stale);
      await this.arm(after);
    });
  }

  /** Adds the timers; one already there (same id) is left as it is. */
  async arm(timers: readonly Timer[]): Promise<void> {
    if (timers.length === 0) return;
    const now = Date.now();
    await this.queue.addBulk(
      timers.map((t) => ({
        name: t.data.moment,
        data: t.data,
        opts: {
          jobId: t.id,
          delay: Math.max(0, Date.parse(t.data.at) - now),
          attempts: TIMER_ATTEMPTS,
          backoff: { type: 'exponential', delay: TIMER_BACKOFF_MS },
          // Removed once done, so the sweep can arm a timer of the same id again if it is still needed.
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
  }

  /** Best effort: a timer left behind fires into a point that no longer needs it, which changes nothing. */
  private async disarm(timers: readonly Timer[]): Promise<void> {
    for (const t of timers) {
      await this.queue
        .remove(t.id)
        .catch((err: Error) => this.logger.debug({ err: err.message, jobId: t.id }, 'timer not removed'));
    }
  }
}
