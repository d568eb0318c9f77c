import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { partnerKeysOf } from '#libs/core';
import { FundingRepository } from '../persistence/funding.repository.js';
import { accountNotOpened } from './account-not-opened.js';
import { RestrictPartnerCommand } from './restrict-partner.command.js';

@CommandHandler(RestrictPartnerCommand)
export class RestrictPartnerHandler implements ICommandHandler<RestrictPartnerCommand, void> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ party }: RestrictPartnerCommand): Promise<void> {
    const keys = partnerKeysOf(party.name, party.registrationId);
    await this.funding.screening('list', async () => {
      if (!(await this.funding.listParty(party, keys, new Date()))) return;
      for (const programId of await this.funding.accountsMatching(keys)) {
        await this.funding.changeAccount(programId, accountNotOpened(programId), (account) => account.restrictPartner(party.partyId));
      }
    });
  }
}
