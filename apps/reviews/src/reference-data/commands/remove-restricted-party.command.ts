import type { Actor } from '#libs/contracts';

export class RemoveRestrictedPartyCommand {
  constructor(
    readonly partyId: string,
    readonly actor: Actor,
  ) {}
}
