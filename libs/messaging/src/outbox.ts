import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { systemActor, type EventEnvelope, type EventPayloads, type EventType, type ServiceName } from '#libs/contracts';
import type { AggregateRoot } from '#libs/core';
import { RequestContext, SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { renumber, updateStatement, type RowKey, type Statement } from '#libs/persistence';

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

  /**
   * Updates a row (as `em.update` would) and inserts the events the aggregates recorded, in one
   * statement. Returns whether the row was there to update (no events are written otherwise).
   */
  async updateAndAppend<E extends ObjectLiteral>(
    em: EntityManager,
    target: EntityTarget<E>,
    where: RowKey<E>,
    row: E,
    ...aggregates: AggregateRoot[]
  ): Promise<boolean> {
    const [changed] = await this.writeAndAppend(em, [updateStatement(em, target, row, where)], ...aggregates);
    return changed > 0;
  }

  /**
   * Runs data-modifying statements and inserts the events the aggregates recorded, as one statement:
   * one round trip, and atomic even outside a transaction. The events are written only if every
   * statement changed a row, so a compare-and-set that lost writes no events. Returns the rows each
   * statement changed.
   */
  writeAndAppend(em: EntityManager, writes: [Statement, ...Statement[]], ...aggregates: AggregateRoot[]): Promise<number[]> {
    return this.write(em, null, writes, aggregates);
  }

  /**
   * As `writeAndAppend`, only if `guard` returns a row: a SELECT that runs first and takes the row
   * locks the writes need, in the order the caller keeps everywhere. So several rows change
   * together or not at all (a compare-and-set of each), where separate compare-and-sets could
   * each win or lose alone. Every write must be an UPDATE … WHERE or an INSERT of one row.
   */
  writeGuardedAndAppend(em: EntityManager, guard: Statement, writes: [Statement, ...Statement[]], ...aggregates: AggregateRoot[]): Promise<number[]> {
    return this.write(em, guard, writes, aggregates);
  }

  private async write(em: EntityManager, guard: Statement | null, writes: Statement[], aggregates: AggregateRoot[]): Promise<number[]> {
    const ctes: string[] = [];
    const params: unknown[] = [];
    if (guard) {
      // MATERIALIZED: the guard runs once, and before any write, whatever the writes' plans.
      ctes.push(`guard AS MATERIALIZED (${guard[0]})`);
      params.push(...guard[1]);
    }
    writes.forEach(([sql, values], i) => {
      ctes.push(`w${i} AS (${renumber(guard ? gated(sql) : sql, params.length)} RETURNING 1)`);
      params.push(...values);
    });
    const counts = writes.map((_, i) => `(SELECT count(*) FROM w${i})::int`);
    const envelopes = this.envelopes(draftsOf(aggregates));
    if (envelopes.length > 0) {
      ctes.push(`appended AS (${this.insertSql(params.length)} WHERE ${counts.map((c) => `${c} > 0`).join(' AND ')})`);
      params.push(...insertParams(envelopes));
    }
    const [{ changed }] = (await em.query(`WITH ${ctes.join(', ')} SELECT ARRAY[${counts.join(', ')}] AS changed`, params)) as Array<{ changed: number[] }>;
    return changed;
  }

  async append(em: EntityManager, drafts: EventDraft[]): Promise<UnnumberedEvent[]> {
    const envelopes = this.envelopes(drafts);
    if (envelopes.length > 0) await em.query(this.insertSql(0), insertParams(envelopes));
    return envelopes;
  }

  private envelopes(drafts: EventDraft[]): UnnumberedEvent[] {
    if (drafts.length === 0) return [];
    const ctx = RequestContext.get();
    const occurredAt = new Date().toISOString();
    return drafts.map((d) => ({
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
  }

  /** The outbox insert, its parameters numbered after the `offset` a statement before it uses. */
  private insertSql(offset: number): string {
    const [ids, types, envelopes] = [1, 2, 3].map((n) => `$${offset + n}`);
    return `INSERT INTO "${this.source}".outbox (event_id, type, envelope)
       SELECT * FROM unnest(${ids}::uuid[], ${types}::text[], ${envelopes}::jsonb[])`;
  }
}

const ONE_ROW_INSERT = /^(INSERT INTO .+?\)) VALUES \(([^()]*)\)$/s;

/** A write that changes rows only if the statement's guard returned one: an UPDATE … WHERE, or an INSERT of one row of parameters. */
function gated(write: string): string {
  const where = write.lastIndexOf(' WHERE ');
  if (write.startsWith('UPDATE ') && where >= 0) return `${write.slice(0, where)} WHERE (${write.slice(where + 7)}) AND EXISTS (SELECT 1 FROM guard)`;
  const insert = ONE_ROW_INSERT.exec(write);
  // Selected from the guard, the parameters still take their types from the target columns.
  if (insert && !/\bDEFAULT\b/.test(insert[2])) return `${insert[1]} SELECT ${insert[2]} FROM guard`;
  throw new Error(`a guarded write must be an UPDATE … WHERE or an INSERT of one row of parameters: ${write}`);
}

function draftsOf(aggregates: AggregateRoot[]): EventDraft[] {
  return aggregates.flatMap((aggregate) =>
    aggregate.pullEvents().map((e) => ({
      ...e,
      aggregateType: aggregate.aggregateType,
      aggregateId: aggregate.id,
      aggregateVersion: aggregate.version,
    })),
  );
}

function insertParams(envelopes: UnnumberedEvent[]): unknown[] {
  return [envelopes.map((e) => e.eventId), envelopes.map((e) => e.type), envelopes.map((e) => JSON.stringify(e))];
}
