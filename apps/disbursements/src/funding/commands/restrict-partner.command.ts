import type { ListedParty } from '../persistence/funding.repository.js';

/** From `reference.restricted-party-added`: programs paying this party stop paying. */
export class RestrictPartnerCommand {
  constructor(
    readonly party: ListedParty,
  ) {}
}
