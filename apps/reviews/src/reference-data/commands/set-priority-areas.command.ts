import type { Actor, Country } from '#libs/contracts';

export class SetPriorityAreasCommand {
  constructor(
    readonly country: Country,
    readonly areas: string[],
    readonly actor: Actor,
  ) {}
}
