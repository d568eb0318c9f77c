import type { EventEnvelope } from '#libs/contracts';

/**
 * Events audit consumes at once, and so the largest group recorded in one transaction. Each job in
 * flight holds only a promise, not a connection, so this can be well above the database pool.
 */
export const AUDIT_CONSUMER_CONCURRENCY = 128;

/** Every event of every service lands in the ledger as it was published; the result says whether it was new. */
export class RecordEventCommand {
  constructor(readonly event: EventEnvelope) {}
}
