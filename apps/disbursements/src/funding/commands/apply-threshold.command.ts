import type { ThresholdName } from '#libs/contracts';

/** From `reference.threshold-changed`: requests made from now on are judged by the new amount. */
export class ApplyThresholdCommand {
  constructor(
    readonly name: ThresholdName,
    readonly amountCents: number,
    /** The change's number: an older change delivered late must not undo a newer one. */
    readonly version: number,
  ) {}
}
