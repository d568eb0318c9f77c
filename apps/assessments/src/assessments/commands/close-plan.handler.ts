import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OutOfOrderEventError } from '#libs/messaging';
import { TransactionRunner } from '#libs/persistence';
import { AssessmentRepository } from '../persistence/assessment.repository.js';
import { ClosePlanCommand } from './close-plan.command.js';
import { ProgramEnding } from './program-ending.js';

@CommandHandler(ClosePlanCommand)
export class ClosePlanHandler implements ICommandHandler<ClosePlanCommand, void> {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly assessments: AssessmentRepository,
    private readonly ending: ProgramEnding,
  ) {}

  async execute({ programId, reason }: ClosePlanCommand): Promise<void> {
    await this.tx.run(async (em) => {
      const locked = await this.assessments.lockPlan(em, programId);
      // Only an approved program can end, so its plan is on its way.
      if (!locked) throw new OutOfOrderEventError(`program ${programId} ended before its plan was made`);
      await this.ending.end(em, locked.plan, reason, new Date());
    });
  }
}
