import { Queue } from 'bullmq';
import { carriedEvents, eventQueueName, type EventEnvelope, type ServiceName } from '#libs/contracts';
import { bullConnection, type ServiceConfig } from '#libs/common';

export interface ParkedEvent {
  jobId: string;
  /** The event type, or EVENT_BATCH_JOB for a job carrying several events. */
  type: string;
  /** The events the job carries. */
  events: Array<{ eventId: string; type: string }>;
  attemptsMade: number;
  failedReason: string;
  failedAt: string | null;
}

/**
 * Events that kept failing stay in their queue's failed set (removeOnFail: false): that is the
 * parking lot an operator lists and replays, also visible in any BullMQ dashboard.
 */
export class ParkedEvents {
  private readonly queue: Queue;

  constructor(service: ServiceName, config: Pick<ServiceConfig, 'redisUrl' | 'redisClusterNodes' | 'redisPrefix'>) {
    this.queue = new Queue(eventQueueName(service), { connection: bullConnection(config, 'producer'), prefix: config.redisPrefix });
  }

  async list(limit = 100): Promise<ParkedEvent[]> {
    const jobs = await this.queue.getFailed(0, limit - 1);
    return jobs.map((j) => ({
      jobId: String(j.id),
      type: j.name,
      events: carried(j.name, j.data),
      attemptsMade: j.attemptsMade,
      failedReason: j.failedReason,
      failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
    }));
  }

  /** Replays one parked job (its `jobId` in the list), or all of them; returns how many were sent back to the queue. */
  async replay(jobId?: string): Promise<number> {
    const jobs = jobId ? [await this.queue.getJob(jobId)] : await this.queue.getFailed(0, -1);
    let replayed = 0;
    for (const job of jobs) {
      if (job && (await job.isFailed())) {
        await job.retry('failed', { resetAttemptsMade: true });
        replayed += 1;
      }
    }
    return replayed;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

function carried(name: string, data: unknown): ParkedEvent['events'] {
  return carriedEvents(name, data).map((e) => {
    const { eventId, type } = (e ?? {}) as Partial<EventEnvelope>;
    return { eventId: String(eventId), type: String(type) };
  });
}
