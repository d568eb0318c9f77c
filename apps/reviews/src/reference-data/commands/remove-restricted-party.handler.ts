import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ReferenceDataRepository } from '../persistence/reference-data.repository.js';
import type { RestrictedPartyEntity } from '../persistence/restricted-party.entity.js';
import { RemoveRestrictedPartyCommand } from './remove-restricted-party.command.js';

@CommandHandler(RemoveRestrictedPartyCommand)
export class RemoveRestrictedPartyHandler implements ICommandHandler<RemoveRestrictedPartyCommand, RestrictedPartyEntity> {
  constructor(private readonly referenceData: ReferenceDataRepository) {}

  execute({ partyId, actor, reason }: RemoveRestrictedPartyCommand): Promise<RestrictedPartyEntity> {
    return this.referenceData.removeRestrictedParty(partyId, actor.id, new Date(), reason?.trim() ?? null);
  }
}
