import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerRepository } from '../persistence/ledger.repository.js';
import { RecordEventCommand } from './record-event.command.js';

/** Accepts the event in the inbox transaction; the chainer appends it to the ledger right after. */
@CommandHandler(RecordEventCommand)
export class RecordEventHandler implements ICommandHandler<RecordEventCommand, void> {
  constructor(private readonly ledger: LedgerRepository) {}

  async execute({ event }: RecordEventCommand): Promise<void> {
    await this.ledger.accept(event);
  }
}
