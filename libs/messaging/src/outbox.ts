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

/**
 * Writes events in the caller's transaction, so nothing is published for a transaction that
 * rolls back. `sourceSeq` comes from a one-row counter locked until commit: gapless per source.
 */
@Injectable()
export class Outbox {
  private readonly source: ServiceName;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.source = config.service as ServiceName;
  }

  async appendFrom(em: EntityManager, aggregate: AggregateRoot): Promise<EventEnvelope[]> {
    return this.append(
      em,
      aggregate.pullEvents().map((e) => ({
        ...e,
        aggregateType: aggregate.aggregateType,
        aggregateId: aggregate.id,
        aggregateVersion: aggregate.version,
      })),
    );
  }

  async append(em: EntityManager, drafts: EventDraft[]): Promise<EventEnvelope[]> {
    if (drafts.length === 0) return [];
    const [[row]] = (await em.query(
      `UPDATE "${this.source}".outbox_sequence SET value = value + $1 WHERE id = 1 RETURNING value`,
      [drafts.length],
    )) as [[{ value: string }], number];
    const first = Number(row.value) - drafts.length + 1;
    const ctx = RequestContext.get();
    const occurredAt = new Date().toISOString();
    const envelopes: EventEnvelope[] = drafts.map((d, i) => ({
      eventId: uuidv7(),
      type: d.type,
      version: EVENT_VERSION,
      source: this.source,
      sourceSeq: first + i,
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
      `INSERT INTO "${this.source}".outbox (event_id, source_seq, type, envelope)
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::jsonb[])`,
      [
        envelopes.map((e) => e.eventId),
        envelopes.map((e) => e.sourceSeq),
        envelopes.map((e) => e.type),
        envelopes.map((e) => JSON.stringify(e)),
      ],
    );
    return envelopes;
  }
}
