import type { EventEnvelope } from '#libs/contracts';

/**
 * Audit's event workers in each process, and the jobs each takes at once. A BullMQ worker refills
 * its free slots one Redis round trip at a time and starts none until they are full, so when a
 * recorded group frees them all, that refill is where deliveries wait. One worker of 128 slots held
 * audit's deliveries for up to 0.8 s under load; one of 32 left audit's p99 propagation at 200
 * transitions/s about 2.4 times the services'; workers of 8 slots, 1.1 to 1.5 times. Eight of
 * them rather than four keep the ingest of a backlog (bench:audit) at 4,600 to 5,400 events/s
 * (four: 4,460; one of 128: 6,000; with nothing else running).
 */
export const AUDIT_WORKERS = 8;
export const AUDIT_WORKER_CONCURRENCY = 8;
/**
 * Events audit consumes at once, and so the largest group recorded in one transaction. Each job in
 * flight holds only a promise, not a connection, so this can be above the database pool.
 */
export const AUDIT_CONSUMER_CONCURRENCY = AUDIT_WORKERS * AUDIT_WORKER_CONCURRENCY;

/** Every event of every service lands in the ledger as it was published; the result says whether it was new. */
export class RecordEventCommand {
  constructor(readonly event: EventEnvelope) {}
}
