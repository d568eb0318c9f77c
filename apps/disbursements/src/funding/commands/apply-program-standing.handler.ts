import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { FundingRepository } from '../persistence/funding.repository.js';
import { accountNotOpened } from './account-not-opened.js';
import { ApplyProgramStandingCommand } from './apply-program-standing.command.js';

@CommandHandler(ApplyProgramStandingCommand)
export class ApplyProgramStandingHandler implements ICommandHandler<ApplyProgramStandingCommand, void> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ programId, suspended, programVersion }: ApplyProgramStandingCommand): Promise<void> {
    await this.funding.changeAccount(programId, accountNotOpened(programId), (account) => {
      // A closed account pays nothing any more: holds on it would mean nothing.
      if (account.status === 'OPEN') account.applyProgramStanding(suspended, programVersion);
    });
  }
}
