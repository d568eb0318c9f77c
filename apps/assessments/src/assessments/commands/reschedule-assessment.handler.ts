import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TransactionRunner } from '#libs/persistence';
import type { AssessmentPointState } from '../domain/assessment-point.aggregate.js';
import { AssessmentRepository } from '../persistence/assessment.repository.js';
import { RescheduleAssessmentCommand } from './reschedule-assessment.command.js';

@CommandHandler(RescheduleAssessmentCommand)
export class RescheduleAssessmentHandler implements ICommandHandler<RescheduleAssessmentCommand, AssessmentPointState> {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly assessments: AssessmentRepository,
  ) {}

  async execute({ id, dueAt, reason }: RescheduleAssessmentCommand): Promise<AssessmentPointState> {
    return this.tx.run(async (em) => {
      const locked = await this.assessments.lockPointAndPlan(em, id);
      locked.point.reschedule(dueAt, reason, new Date(), locked.plan.endAt);
      // Saving swaps the timers: the old instants' jobs go, the new ones are armed.
      await this.assessments.savePoint(em, locked);
      return locked.point.toState();
    });
  }
}
