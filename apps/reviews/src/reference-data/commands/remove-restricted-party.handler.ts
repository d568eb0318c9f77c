import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TransactionRunner } from '#libs/persistence';
import { RescreenReviewsCommand } from '../../reviews/commands/rescreen-reviews.command.js';
import { ReferenceDataRepository } from '../persistence/reference-data.repository.js';
import type { RestrictedPartyEntity } from '../persistence/restricted-party.entity.js';
import { RemoveRestrictedPartyCommand } from './remove-restricted-party.command.js';

@CommandHandler(RemoveRestrictedPartyCommand)
export class RemoveRestrictedPartyHandler implements ICommandHandler<RemoveRestrictedPartyCommand, RestrictedPartyEntity> {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly commands: CommandBus,
    private readonly referenceData: ReferenceDataRepository,
  ) {}

  execute({ partyId, actor, reason }: RemoveRestrictedPartyCommand): Promise<RestrictedPartyEntity> {
    // Unlisted and screened against the undecided reviews at once, or neither.
    return this.tx.run(async () => {
      const row = await this.referenceData.removeRestrictedParty(partyId, actor.id, new Date(), reason?.trim() ?? null);
      await this.commands.execute(new RescreenReviewsCommand(row));
      return row;
    });
  }
}
