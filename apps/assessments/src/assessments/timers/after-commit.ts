import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';

type Work = () => Promise<void>;

/**
 * Runs work once the transaction it belongs to has committed, and never if it rolls back. The
 * transaction may be this service's own or the inbox transaction of an event consumer, which the
 * command handler does not end, so it hooks into TypeORM's commit rather than into the handler.
 */
@Injectable()
export class AfterCommit implements EntitySubscriberInterface, OnModuleInit {
  private readonly logger = new Logger(AfterCommit.name);
  private readonly pending = new WeakMap<QueryRunner, Work[]>();

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    // The service definition has no place for subscribers, so this one registers itself.
    this.dataSource.subscribers.push(this);
  }

  /** Queues `work` for after the commit of `em`'s transaction; outside a transaction it runs at once. */
  async run(em: EntityManager, work: Work): Promise<void> {
    const runner = em.queryRunner;
    if (!runner?.isTransactionActive) return this.attempt(work);
    const queued = this.pending.get(runner) ?? [];
    queued.push(work);
    this.pending.set(runner, queued);
  }

  async afterTransactionCommit({ queryRunner }: TransactionCommitEvent): Promise<void> {
    // A released savepoint is not the commit.
    if (queryRunner.isTransactionActive) return;
    const queued = this.pending.get(queryRunner) ?? [];
    this.pending.delete(queryRunner);
    for (const work of queued) await this.attempt(work);
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    if (!queryRunner.isTransactionActive) this.pending.delete(queryRunner);
  }

  /** The data is committed whatever happens here: a failure is logged and healed by the timer sweep. */
  private async attempt(work: Work): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'post-commit work failed; the timer sweep will retry it');
    }
  }
}
