import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DrainLoop, SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { LedgerRepository } from '../persistence/ledger.repository.js';

/** Events per chaining transaction: large enough to amortise the commit, small enough to keep it short. */
const BATCH = 1000;

/**
 * Moves accepted events from the intake into the chain. Kicked after each consumed event (its
 * inbox transaction has committed by then), with a poll as the safety net for kicks lost to a
 * crash or to another replica's intake. Kicks that arrive while a drain runs only make it drain
 * again, so events that arrive together are chained together.
 */
@Injectable()
export class LedgerChainer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LedgerChainer.name);
  private readonly loop: DrainLoop;

  constructor(
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    private readonly ledger: LedgerRepository,
  ) {
    this.loop = new DrainLoop(() => this.drain(), config.relayPollMs);
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  kick(): void {
    this.loop.kick();
  }

  private async drain(): Promise<void> {
    try {
      while (!this.loop.isStopped && (await this.ledger.chainPending(BATCH)).length === BATCH);
    } catch (err) {
      // Postgres is unavailable: the events stay in the intake and the next poll chains them.
      this.logger.warn({ err: (err as Error).message }, 'could not chain accepted events; will retry');
    }
  }
}
