import { Inject, Injectable } from '@nestjs/common';
import { systemActor, type EventEnvelope, type ServiceName } from '#libs/contracts';
import { RequestContext, SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { TransactionRunner } from '#libs/persistence';

/**
 * Applies an event at most once: the inbox row and the effect commit in one transaction.
 * A concurrent second delivery blocks on the inbox key until the first commits, then skips.
 */
@Injectable()
export class Inbox {
  private readonly schema: ServiceName;

  constructor(
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    private readonly tx: TransactionRunner,
  ) {
    this.schema = config.service as ServiceName;
  }

  /** Returns false when the event had already taken effect. */
  apply(event: EventEnvelope, effect: () => Promise<unknown>): Promise<boolean> {
    return this.inContextOf(event, () =>
      this.tx.run(async (em) => {
        const inserted = (await em.query(
          `INSERT INTO "${this.schema}".inbox (event_id, type, source, source_seq) VALUES ($1, $2, $3, $4)
           ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
          [event.eventId, event.type, event.source, event.sourceSeq],
        )) as unknown[];
        if (inserted.length === 0) return false;
        await effect();
        return true;
      }),
    );
  }

  /** Runs work as caused by the event: what it writes carries the event's correlation id and this service as actor. */
  inContextOf<T>(event: EventEnvelope, work: () => Promise<T>): Promise<T> {
    return RequestContext.run({ correlationId: event.correlationId, causationId: event.eventId, actor: systemActor(this.schema) }, work);
  }

  /**
   * Applies a group of events in one transaction: one inbox insert for all, then `effect` once with
   * those not applied before. Returns, per event, whether it took effect here; an event delivered
   * twice within the group takes effect once. Rows are inserted in eventId order, so two replicas
   * inserting overlapping groups wait for each other instead of deadlocking.
   */
  applyGroup<E extends EventEnvelope>(events: readonly E[], effect: (fresh: E[]) => Promise<unknown>): Promise<boolean[]> {
    const sorted = [...events].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    return this.tx.run(async (em) => {
      const inserted = (await em.query(
        `INSERT INTO "${this.schema}".inbox (event_id, type, source, source_seq)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[])
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [sorted.map((e) => e.eventId), sorted.map((e) => e.type), sorted.map((e) => e.source), sorted.map((e) => e.sourceSeq)],
      )) as Array<{ event_id: string }>;
      const unclaimed = new Set(inserted.map((r) => r.event_id));
      // Postgres returns uuids in lower case; the first delivery of each new event claims it.
      const applied = events.map((e) => unclaimed.delete(e.eventId.toLowerCase()));
      const fresh = events.filter((_, i) => applied[i]);
      if (fresh.length > 0) await effect(fresh);
      return applied;
    });
  }
}
