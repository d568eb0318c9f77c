import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { FundingRepository } from '../persistence/funding.repository.js';
import { accountNotOpened } from './account-not-opened.js';
import { ClearPartnerCommand } from './clear-partner.command.js';

@CommandHandler(ClearPartnerCommand)
export class ClearPartnerHandler implements ICommandHandler<ClearPartnerCommand, void> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ partyId }: ClearPartnerCommand): Promise<void> {
    await this.funding.screening('list', async () => {
      await this.funding.unlistParty(partyId, new Date());
      for (const programId of await this.funding.accountsRestrictedBy(partyId)) {
        await this.funding.changeAccount(programId, accountNotOpened(programId), (account) => account.clearPartner(partyId));
      }
    });
  }
}
