import type { EntityTarget, FindOptionsWhere } from 'typeorm';
import type { AggregateRoot } from '#libs/core';
import { NotFoundError } from '#libs/core';
import type { TransactionRunner } from '#libs/persistence';
import type { Outbox } from './outbox.js';

/** How an aggregate maps to its row (one row per aggregate, keyed by `id`). */
export interface AggregateMapping<A extends AggregateRoot, E extends { id: string }> {
  entity: EntityTarget<E>;
  /** What the aggregate is called in a 404. */
  label: string;
  toRow(aggregate: A): E;
  fromRow(row: E): A;
}

/**
 * Saves an aggregate and the events it recorded in one transaction (the caller's, when one is
 * open). `change` locks the row first, so concurrent commands on one aggregate run one at a time.
 */
export class AggregateStore<A extends AggregateRoot, E extends { id: string }> {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly outbox: Outbox,
    private readonly mapping: AggregateMapping<A, E>,
  ) {}

  add(aggregate: A): Promise<A> {
    return this.tx.run(async (em) => {
      await em.insert(this.mapping.entity, this.mapping.toRow(aggregate) as never);
      await this.outbox.appendFrom(em, aggregate);
      return aggregate;
    });
  }

  change(id: string, apply: (aggregate: A) => void): Promise<A> {
    return this.tx.run(async (em) => {
      const where = { id } as FindOptionsWhere<E>;
      const row = await em.findOne(this.mapping.entity, { where, lock: { mode: 'pessimistic_write' } });
      if (!row) throw new NotFoundError(this.mapping.label, id);
      const aggregate = this.mapping.fromRow(row);
      apply(aggregate);
      await this.outbox.updateAndAppend(em, this.mapping.entity, where, this.mapping.toRow(aggregate), aggregate);
      return aggregate;
    });
  }
}
