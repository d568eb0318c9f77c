import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AssessmentRepository } from '../persistence/assessment.repository.js';
import { AssessmentTimers, timersOf } from './assessment-timers.js';

const BATCH = 500;
/** Also now and then, so a timer that could not be armed (Redis down at commit) is not lost until a restart. */
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Re-arms the timers of every point still waiting for one, from the database, which is the truth:
 * nothing is lost if Redis lost jobs, and job ids make arming a timer that is there a no-op.
 */
@Injectable()
export class TimerSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TimerSweep.name);
  private interval: NodeJS.Timeout | null = null;

  constructor(
    private readonly assessments: AssessmentRepository,
    private readonly timers: AssessmentTimers,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweepSafely();
    this.interval = setInterval(() => void this.sweepSafely(), SWEEP_EVERY_MS);
    this.interval.unref();
  }

  onApplicationShutdown(): void {
    if (this.interval) clearInterval(this.interval);
  }

  /** Returns how many timers it armed or found armed. */
  async sweep(): Promise<number> {
    let armed = 0;
    let after: string | null = null;
    for (;;) {
      const points = await this.assessments.openPointsAfter(after, BATCH);
      if (points.length === 0) return armed;
      const timers = points.flatMap((p) => timersOf({ ...p, dueAt: new Date(p.dueAt), overdueAt: new Date(p.overdueAt) }));
      await this.timers.arm(timers);
      armed += timers.length;
      after = points[points.length - 1].id;
    }
  }

  private async sweepSafely(): Promise<void> {
    try {
      const armed = await this.sweep();
      this.logger.log({ armed }, 'assessment timers swept');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'assessment timer sweep failed; it runs again later');
    }
  }
}
