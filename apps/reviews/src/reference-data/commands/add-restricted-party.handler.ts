import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ValidationError, normalisePartyName } from '#libs/core';
import { TransactionRunner } from '#libs/persistence';
import { RescreenReviewsCommand } from '../../reviews/commands/rescreen-reviews.command.js';
import { ReferenceDataRepository } from '../persistence/reference-data.repository.js';
import type { RestrictedPartyEntity } from '../persistence/restricted-party.entity.js';
import { AddRestrictedPartyCommand } from './add-restricted-party.command.js';

@CommandHandler(AddRestrictedPartyCommand)
export class AddRestrictedPartyHandler implements ICommandHandler<AddRestrictedPartyCommand, RestrictedPartyEntity> {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly commands: CommandBus,
    private readonly referenceData: ReferenceDataRepository,
  ) {}

  async execute({ party, actor }: AddRestrictedPartyCommand): Promise<RestrictedPartyEntity> {
    const name = party.name.trim();
    // A name of punctuation only normalises to nothing and would never match a partner.
    if (!normalisePartyName(name)) {
      throw new ValidationError('Invalid request: name', [{ field: 'name', problems: ['name must contain letters or digits'] }]);
    }
    const trimmed = { name, registrationId: party.registrationId?.trim() ?? null, reason: party.reason.trim(), source: party.source.trim() };
    // Listed and screened against the undecided reviews at once, or neither.
    return this.tx.run(async () => {
      const row = await this.referenceData.addRestrictedParty(trimmed, actor.id, new Date());
      await this.commands.execute(new RescreenReviewsCommand(row));
      return row;
    });
  }
}
