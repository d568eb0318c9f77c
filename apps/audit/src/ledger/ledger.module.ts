import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { HealGapsHandler } from './commands/heal-gaps.handler.js';
import { RecordEventHandler } from './commands/record-event.handler.js';
import { RecordSourceHeadHandler } from './commands/record-source-head.handler.js';
import { TakeCheckpointHandler } from './commands/take-checkpoint.handler.js';
import { AuditEventsProcessor } from './events/audit-events.processor.js';
import { AuditController } from './http/audit.controller.js';
import { LedgerChainer } from './jobs/ledger-chainer.js';
import { LEDGER_MAINTENANCE_QUEUE, LedgerMaintenanceProcessor } from './jobs/ledger-maintenance.processor.js';
import { LedgerMetrics } from './ledger.metrics.js';
import { CheckpointKeys } from './persistence/checkpoint-keys.js';
import { LedgerReader } from './persistence/ledger.reader.js';
import { LedgerRepository } from './persistence/ledger.repository.js';

@Module({
  imports: [BullModule.registerQueue({ name: LEDGER_MAINTENANCE_QUEUE })],
  controllers: [AuditController],
  providers: [
    LedgerRepository,
    LedgerChainer,
    LedgerReader,
    CheckpointKeys,
    RecordEventHandler,
    RecordSourceHeadHandler,
    TakeCheckpointHandler,
    HealGapsHandler,
    AuditEventsProcessor,
    LedgerMaintenanceProcessor,
    LedgerMetrics,
  ],
})
export class LedgerModule {}
