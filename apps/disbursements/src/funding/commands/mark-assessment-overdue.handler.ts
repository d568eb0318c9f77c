import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { FundingRepository } from '../persistence/funding.repository.js';
import { accountNotOpened } from './account-not-opened.js';
import { MarkAssessmentOverdueCommand } from './mark-assessment-overdue.command.js';

@CommandHandler(MarkAssessmentOverdueCommand)
export class MarkAssessmentOverdueHandler implements ICommandHandler<MarkAssessmentOverdueCommand, void> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ programId, assessmentId }: MarkAssessmentOverdueCommand): Promise<void> {
    await this.funding.changeAccount(programId, accountNotOpened(programId), (account) => {
      if (account.status === 'OPEN') account.markAssessmentOverdue(assessmentId);
    });
  }
}
