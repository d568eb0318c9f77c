import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { systemActor, type EventEnvelope, type EventPayloads, type EventType, type ServiceName } from '#libs/contracts';
import type { AggregateRoot } from '#libs/core';
import { RequestContext, SERVICE_CONFIG, type ServiceConfig } from '#libs/common';

export interface EventDraft<T extends EventType = EventType> {
  type: T;
  payload: EventPayloads[T];
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
}

/** Version of the payload shape of every event type; bump per type when a payload changes. */
const EVENT_VERSION = 1;

/** An event as its transaction writes it: the relay numbers it (`sourceSeq`) after commit. */
export type UnnumberedEvent = Omit<EventEnvelope, 'sourceSeq'>;

/**
 * Writes events in the caller's transaction, so nothing is published for a transaction that
 * rolls back. The row carries no `sourceSeq` yet: the relay numbers committed rows from the
 * source's counter (`OutboxRelay`), so the counter is locked for one short statement rather
 * than until every command transaction commits, and the sequence stays gapless.
 */
@Injectable()
export class Outbox {
  private readonly source: ServiceName;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.source = config.service as ServiceName;
  }

  /** The events the aggregates recorded, in one insert. */
  async appendFrom(em: EntityManager, ...aggregates: AggregateRoot[]): Promise<UnnumberedEvent[]> {
    return this.append(
      em,
      aggregates.flatMap((aggregate) =>
        aggregate.pullEvents().map((e) => ({
          ...e,
          aggregateType: aggregate.aggregateType,
          aggregateId: aggregate.id,
          aggregateVersion: aggregate.version,
        })),
      ),
    );
  }

  async append(em: EntityManager, drafts: EventDraft[]): Promise<UnnumberedEvent[]> {
    if (drafts.length === 0) return [];
    const ctx = RequestContext.get();
    const occurredAt = new Date().toISOString();
    const envelopes: UnnumberedEvent[] = drafts.map((d) => ({
      eventId: uuidv7(),
      type: d.type,
      version: EVENT_VERSION,
      source: this.source,
      aggregateType: d.aggregateType,
      aggregateId: d.aggregateId,
      aggregateVersion: d.aggregateVersion,
      occurredAt,
      actor: ctx?.actor ?? systemActor(this.source),
      correlationId: ctx?.correlationId ?? uuidv7(),
      causationId: ctx?.causationId ?? null,
      payload: d.payload,
    }));
    await em.query(
      `INSERT INTO "${this.source}".outbox (event_id, type, envelope)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[])`,
      [
        envelopes.map((e) => e.eventId),
        envelopes.map((e) => e.type),
        envelopes.map((e) => JSON.stringify(e)),
      ],
    );
    return envelopes;
  }
}
