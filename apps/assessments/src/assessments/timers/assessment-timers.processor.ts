import { Processor, WorkerHost } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import { DelayedError, type Job } from 'bullmq';
import { workerOptions } from '#libs/messaging';
import { FireTimerCommand } from '../commands/fire-timer.command.js';
import { ASSESSMENT_TIMERS_QUEUE, type TimerData } from './assessment-timers.js';

/** Fires points' timers; one that fired before its instant goes back to wait for the rest. */
@Processor(ASSESSMENT_TIMERS_QUEUE, workerOptions(8))
export class AssessmentTimersProcessor extends WorkerHost {
  constructor(private readonly commands: CommandBus) {
    super();
  }

  async process(job: Job<TimerData>, token?: string): Promise<void> {
    const { pointId, moment, at } = job.data;
    const again = await this.commands.execute<FireTimerCommand, Date | null>(new FireTimerCommand(pointId, moment, new Date(at)));
    if (again) {
      await job.moveToDelayed(again.getTime(), token);
      throw new DelayedError();
    }
  }
}
