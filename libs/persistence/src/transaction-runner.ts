import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

type Work = () => Promise<unknown>;
interface Ambient {
  em: EntityManager;
  afterCommit: Work[];
}

const ambient = new AsyncLocalStorage<Ambient>();

/**
 * Runs work in one Postgres transaction. A call made while a transaction is already open in the
 * same async context joins it, so an event consumer can write its inbox row and the command's
 * effect (and outbox events) atomically without the command handler knowing it was called from one.
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);

  constructor(private readonly dataSource: DataSource) {}

  async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const current = ambient.getStore();
    if (current) return work(current.em);
    const store: Ambient = { em: undefined as unknown as EntityManager, afterCommit: [] };
    const result = await this.dataSource.transaction((em) => {
      store.em = em;
      return ambient.run(store, () => work(em));
    });
    for (const next of store.afterCommit) {
      // The data is committed whatever happens here; callers make such work repairable.
      await next().catch((err) => this.logger.warn({ err: (err as Error).message }, 'after-commit work failed'));
    }
    return result;
  }

  /**
   * The ambient transaction's manager, or else the pool's, on which each statement runs on its own:
   * Postgres makes a single statement atomic, in one round trip where BEGIN, statement, COMMIT take three.
   */
  get manager(): EntityManager {
    return ambient.getStore()?.em ?? this.dataSource.manager;
  }

  /**
   * Runs work once the ambient transaction (possibly an event consumer's, which the caller does not
   * end) has committed, and never if it rolls back; outside a transaction, at once.
   */
  async afterCommit(work: Work): Promise<void> {
    const current = ambient.getStore();
    if (current) current.afterCommit.push(work);
    else await work();
  }

  get inTransaction(): boolean {
    return ambient.getStore() !== undefined;
  }
}
