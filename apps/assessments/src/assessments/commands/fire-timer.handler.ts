import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TransactionRunner } from '#libs/persistence';
import { AssessmentRepository } from '../persistence/assessment.repository.js';
import { timersOf } from '../timers/assessment-timers.js';
import { FireTimerCommand } from './fire-timer.command.js';

/**
 * Returns null when the timer is done, or the instant to fire again when it fired early (the
 * point is still waiting for that very instant). A timer for a point that was rescheduled,
 * completed or cancelled since changes nothing: the domain ignores it.
 */
@CommandHandler(FireTimerCommand)
export class FireTimerHandler implements ICommandHandler<FireTimerCommand, Date | null> {
  private readonly logger = new Logger(FireTimerHandler.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly assessments: AssessmentRepository,
  ) {}

  async execute({ pointId, moment, at }: FireTimerCommand): Promise<Date | null> {
    return this.tx.run(async (em) => {
      const locked = await this.assessments.lockPoint(em, pointId);
      if (!locked) {
        // Timers are armed after their point commits, so this is a point that never committed.
        this.logger.warn({ pointId, moment }, 'timer fired for an unknown assessment');
        return null;
      }
      const { point } = locked;
      const now = new Date();
      // Each step is its own change with its own events. An overdue timer also makes a point
      // DUE whose due timer was lost, so a point never skips a state.
      if (point.markDue(now)) await this.assessments.savePoint(em, locked);
      if (point.markOverdue(now)) await this.assessments.savePoint(em, locked);
      const stillWaiting = timersOf(point).some((t) => t.data.moment === moment && t.data.at === at.toISOString());
      return stillWaiting && at > now ? at : null;
    });
  }
}
