import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { CommandBus } from '@nestjs/cqrs';
import type { Job, Queue } from 'bullmq';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { HealGapsCommand } from '../commands/heal-gaps.command.js';
import { TakeCheckpointCommand } from '../commands/take-checkpoint.command.js';

export const LEDGER_MAINTENANCE_QUEUE = 'audit-maintenance';

const CHECKPOINT = 'checkpoint';
const HEAL_GAPS = 'heal-gaps';

/**
 * Periodic ledger work as BullMQ job schedulers: one job per period across all audit replicas,
 * and the schedule survives restarts. Checkpoints follow `auditCheckpointEveryMs`; gaps are
 * looked at twice per grace period, so a gap is requested at most 1.5 grace periods after it shows.
 */
@Processor(LEDGER_MAINTENANCE_QUEUE)
export class LedgerMaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(LedgerMaintenanceProcessor.name);

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @InjectQueue(LEDGER_MAINTENANCE_QUEUE) private readonly queue: Queue,
    private readonly commands: CommandBus,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const done = { removeOnComplete: { count: 10 }, removeOnFail: { count: 100 } };
    await this.queue.upsertJobScheduler(CHECKPOINT, { every: this.config.auditCheckpointEveryMs }, { name: CHECKPOINT, opts: done });
    const gapEvery = Math.min(Math.max(Math.floor(this.config.auditGapGraceMs / 2), 250), 60_000);
    await this.queue.upsertJobScheduler(HEAL_GAPS, { every: gapEvery }, { name: HEAL_GAPS, opts: done });
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case CHECKPOINT:
        return this.commands.execute(new TakeCheckpointCommand());
      case HEAL_GAPS: {
        const requested = await this.commands.execute(new HealGapsCommand());
        if (requested.length) this.logger.warn({ gaps: requested }, 'ledger gaps outlived the grace period; republish requested');
        return requested;
      }
      default:
        this.logger.warn({ name: job.name }, 'unknown maintenance job');
        return null;
    }
  }
}
