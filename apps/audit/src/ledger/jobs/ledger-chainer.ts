import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
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
  private poll: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly ledger: LedgerRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.poll = setInterval(() => this.kick(), this.config.relayPollMs);
    this.poll.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    while (this.draining) await this.draining;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
    });
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.again = false;
        while (!this.stopped && (await this.ledger.chainPending(BATCH)).length === BATCH);
      } while (this.again && !this.stopped);
    } catch (err) {
      // Postgres is unavailable: the events stay in the intake and the next poll chains them.
      this.logger.warn({ err: (err as Error).message }, 'could not chain accepted events; will retry');
    }
  }
}
