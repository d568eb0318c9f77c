import type { Actor } from '#libs/contracts';

export class RemoveRestrictedPartyCommand {
  constructor(
    readonly partyId: string,
    readonly actor: Actor,
    /** Why it comes off the list (a designation lifted, an entry made in error); optional. */
    readonly reason: string | null = null,
  ) {}
}
