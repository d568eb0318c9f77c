import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventEnvelope } from '#libs/contracts';
import { GroupCommit, OutboxRelay } from '#libs/messaging';
import { LedgerRepository } from '../persistence/ledger.repository.js';
import { AUDIT_CONSUMER_CONCURRENCY, RecordEventCommand } from './record-event.command.js';

/**
 * Accepts the event into the intake together with its inbox row; the chainer appends it to the
 * ledger right after. Audit receives every event of every service, so events consumed at the same
 * time are recorded together (group commit) in one statement rather than one transaction each.
 */
@CommandHandler(RecordEventCommand)
export class RecordEventHandler implements ICommandHandler<RecordEventCommand, boolean> {
  private readonly group: GroupCommit<EventEnvelope, boolean>;

  constructor(
    ledger: LedgerRepository,
    private readonly relay: OutboxRelay,
  ) {
    this.group = new GroupCommit(async (events) => {
      // Audit publishes events too (its republish requests), so it answers a request for its own
      // outbox; before recording, so a failure leaves the request to be delivered again.
      for (const event of events) await this.relay.answerRepublishRequest(event);
      return ledger.record(events);
    }, AUDIT_CONSUMER_CONCURRENCY);
  }

  execute({ event }: RecordEventCommand): Promise<boolean> {
    return this.group.submit(event);
  }
}
