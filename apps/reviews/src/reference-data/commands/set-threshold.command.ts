import type { Actor, ThresholdName } from '#libs/contracts';

export class SetThresholdCommand {
  constructor(
    readonly name: ThresholdName,
    readonly amountCents: number,
    readonly actor: Actor,
    /** The version of the threshold the admin read, when they say which. */
    readonly expectedVersion?: number,
  ) {}
}
