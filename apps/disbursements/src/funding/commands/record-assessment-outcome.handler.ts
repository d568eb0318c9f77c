import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { FundingRepository } from '../persistence/funding.repository.js';
import { accountNotOpened } from './account-not-opened.js';
import { RecordAssessmentOutcomeCommand } from './record-assessment-outcome.command.js';

@CommandHandler(RecordAssessmentOutcomeCommand)
export class RecordAssessmentOutcomeHandler implements ICommandHandler<RecordAssessmentOutcomeCommand, void> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ programId, assessmentId, outcome, followUpId }: RecordAssessmentOutcomeCommand): Promise<void> {
    await this.funding.changeAccount(programId, accountNotOpened(programId), (account) => {
      if (account.status === 'OPEN') account.recordAssessmentOutcome(assessmentId, outcome, followUpId);
    });
  }
}
