/** Asks each source with a gap older than the grace period to publish the missing range again. */
export class HealGapsCommand {
  constructor(readonly now: Date = new Date()) {}
}
