import type { Actor } from '#libs/contracts';
import type { NewRestrictedParty } from '../persistence/reference-data.repository.js';

export class AddRestrictedPartyCommand {
  constructor(
    readonly party: NewRestrictedParty,
    readonly actor: Actor,
  ) {}
}
