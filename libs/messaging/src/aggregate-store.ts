import type { EntityTarget } from 'typeorm';
import type { AggregateRoot } from '#libs/core';
import { NotFoundError, RuleViolationError } from '#libs/core';
import { findRow, insertStatement, type RowKey, type TransactionRunner } from '#libs/persistence';
import type { Outbox } from './outbox.js';

/** How an aggregate maps to its row (one row per aggregate, keyed by `id`, with its `version`). */
export interface AggregateMapping<A extends AggregateRoot, E extends { id: string; version: number }> {
  entity: EntityTarget<E>;
  /** What the aggregate is called in a 404. */
  label: string;
  toRow(aggregate: A): E;
  fromRow(row: E): A;
}

/** Lost races on one aggregate before a command gives up with a 409. */
const CHANGE_ATTEMPTS = 5;

/**
 * Saves an aggregate and the events it recorded atomically, in the caller's transaction when one
 * is open. Each save is one statement, so outside a transaction a command takes two round trips
 * (read, write) instead of four (BEGIN, read with lock, write, COMMIT).
 */
export class AggregateStore<A extends AggregateRoot, E extends { id: string; version: number }> {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly outbox: Outbox,
    private readonly mapping: AggregateMapping<A, E>,
  ) {}

  async add(aggregate: A): Promise<A> {
    const em = this.tx.manager;
    await this.outbox.writeAndAppend(em, [insertStatement(em, this.mapping.entity, this.mapping.toRow(aggregate))], aggregate);
    return aggregate;
  }

  /**
   * Optimistic: reads the row, applies the change and writes it only if its version is still the
   * one read (compare and set); if another command changed it meanwhile, reads again and re-applies.
   */
  async change(id: string, apply: (aggregate: A) => void): Promise<A> {
    const em = this.tx.manager;
    for (let attempt = 1; attempt <= CHANGE_ATTEMPTS; attempt++) {
      const row = await findRow(em, this.mapping.entity, { id } as RowKey<E>);
      if (!row) throw new NotFoundError(this.mapping.label, id);
      const aggregate = this.mapping.fromRow(row);
      apply(aggregate);
      const where = { id, version: row.version } as RowKey<E>;
      if (await this.outbox.updateAndAppend(em, this.mapping.entity, where, this.mapping.toRow(aggregate), aggregate)) return aggregate;
    }
    throw new RuleViolationError('CONCURRENT_CHANGE', `${this.mapping.label} ${id} is being changed by others: try again`);
  }
}
