import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

const ambient = new AsyncLocalStorage<EntityManager>();

/**
 * Runs work in one Postgres transaction. A call made while a transaction is already open in the
 * same async context joins it, so an event consumer can write its inbox row and the command's
 * effect (and outbox events) atomically without the command handler knowing it was called from one.
 */
@Injectable()
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const current = ambient.getStore();
    if (current) return work(current);
    return this.dataSource.transaction((em) => ambient.run(em, () => work(em)));
  }

  get inTransaction(): boolean {
    return ambient.getStore() !== undefined;
  }
}
