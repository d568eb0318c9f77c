import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { systemActor } from '#libs/contracts';
import { closeAccount } from '../domain/funding-policy.js';
import { FundingRepository } from '../persistence/funding.repository.js';
import { accountNotOpened } from './account-not-opened.js';
import { CloseFundingAccountCommand } from './close-funding-account.command.js';

@CommandHandler(CloseFundingAccountCommand)
export class CloseFundingAccountHandler implements ICommandHandler<CloseFundingAccountCommand, void> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ programId, reason }: CloseFundingAccountCommand): Promise<void> {
    await this.funding.changeAccountAndPending(programId, accountNotOpened(programId), (account, pending) =>
      // Discontinued and then closed (or a replay) finds it closed already: nothing more to end.
      account.status === 'CLOSED' ? [] : closeAccount(account, pending, systemActor('disbursements'), reason, new Date()),
    );
  }
}
