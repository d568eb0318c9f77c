import type { EventEnvelope } from '#libs/contracts';

/** Every event of every service lands in the ledger as it was published. */
export class RecordEventCommand {
  constructor(readonly event: EventEnvelope) {}
}
