import type { Actor, Country } from '#libs/contracts';

export class SetPriorityAreasCommand {
  constructor(
    readonly country: Country,
    readonly areas: string[],
    readonly actor: Actor,
    /** The version of the list the admin edited, when they say which. */
    readonly expectedVersion?: number,
  ) {}
}
