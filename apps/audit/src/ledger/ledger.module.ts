import { Module } from '@nestjs/common';
import { RecordEventHandler } from './commands/record-event.handler.js';
import { AuditEventsProcessor } from './events/audit-events.processor.js';
import { LedgerRepository } from './persistence/ledger.repository.js';

@Module({
  providers: [LedgerRepository, RecordEventHandler, AuditEventsProcessor],
})
export class LedgerModule {}
