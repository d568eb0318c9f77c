import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { FundingAccountAggregate } from '../domain/funding-account.aggregate.js';
import { FundingRepository } from '../persistence/funding.repository.js';
import { OpenFundingAccountCommand } from './open-funding-account.command.js';

@CommandHandler(OpenFundingAccountCommand)
export class OpenFundingAccountHandler implements ICommandHandler<OpenFundingAccountCommand, void> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ programId, budgetCents, partner }: OpenFundingAccountCommand): Promise<void> {
    await this.funding.screening('open', async () => {
      const account = FundingAccountAggregate.open(programId, budgetCents, new Date(), partner);
      // A party listed between the review and the approval: the account opens on hold.
      for (const partyId of await this.funding.restrictingParties(account.partnerKeys)) account.restrictPartner(partyId);
      await this.funding.open(account);
    });
  }
}
