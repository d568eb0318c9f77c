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
   * twice within the group takes effect once.
   */
  applyGroup<E extends EventEnvelope>(events: readonly E[], effect: (fresh: E[]) => Promise<unknown>): Promise<boolean[]> {
    return this.tx.run(async (em) => {
      const applied = this.appliedOf(events, (await em.query(`${this.groupInsertSql()} RETURNING event_id`, this.groupInsertParams(events))) as Inserted);
      const fresh = events.filter((_, i) => applied[i]);
      if (fresh.length > 0) await effect(fresh);
      return applied;
    });
  }

  /**
   * As `applyGroup`, for an effect that is one insert: inbox rows and effect in a single statement
   * (its own transaction), one round trip instead of four (BEGIN, inbox, effect, COMMIT). `effect`
   * gets each event once, in order, and returns a data-modifying statement that reads the new
   * events' ids from `fresh (event_id)`, its parameters numbered from $5.
   */
  async applyGroupInOneStatement<E extends EventEnvelope>(
    events: readonly E[],
    effect: (distinct: E[]) => { sql: string; params: unknown[] },
  ): Promise<boolean[]> {
    // A Map keeps each key at its first insertion: the events once each, in delivery order.
    const { sql, params } = effect([...new Map(events.map((e) => [e.eventId.toLowerCase(), e])).values()]);
    const inserted: Inserted = await this.tx.manager.query(
      `WITH fresh AS (${this.groupInsertSql()} RETURNING event_id), effect AS (${sql}) SELECT event_id FROM fresh`,
      [...this.groupInsertParams(events), ...params],
    );
    return this.appliedOf(events, inserted);
  }

  /** Inbox rows of a group, in eventId order, so two replicas inserting overlapping groups wait for each other instead of deadlocking. */
  private groupInsertSql(): string {
    return `INSERT INTO "${this.schema}".inbox (event_id, type, source, source_seq)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[]) ORDER BY 1
         ON CONFLICT (event_id) DO NOTHING`;
  }

  private groupInsertParams(events: readonly EventEnvelope[]): unknown[] {
    return [events.map((e) => e.eventId), events.map((e) => e.type), events.map((e) => e.source), events.map((e) => e.sourceSeq)];
  }

  /** Per event, whether this group applied it: the first delivery of each newly inserted event claims it. */
  private appliedOf(events: readonly EventEnvelope[], inserted: Inserted): boolean[] {
    // Postgres returns uuids in lower case.
    const unclaimed = new Set(inserted.map((r) => r.event_id));
    return events.map((e) => unclaimed.delete(e.eventId.toLowerCase()));
  }
}

type Inserted = Array<{ event_id: string }>;
