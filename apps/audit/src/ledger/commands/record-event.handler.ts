import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventEnvelope } from '#libs/contracts';
import { GroupCommit, Inbox, OutboxRelay } from '#libs/messaging';
import { LedgerRepository } from '../persistence/ledger.repository.js';
import { AUDIT_CONSUMER_CONCURRENCY, RecordEventCommand } from './record-event.command.js';

/**
 * Accepts the event into the intake together with its inbox row; the chainer appends it to the
 * ledger right after. Audit receives every event of every service, so events consumed at the same
 * time share one inbox-and-intake transaction (group commit) rather than one transaction each.
 */
@CommandHandler(RecordEventCommand)
export class RecordEventHandler implements ICommandHandler<RecordEventCommand, boolean> {
  private readonly group: GroupCommit<EventEnvelope, boolean>;

  constructor(
    inbox: Inbox,
    private readonly ledger: LedgerRepository,
    private readonly relay: OutboxRelay,
  ) {
    this.group = new GroupCommit((events) => inbox.applyGroup(events, (fresh) => this.accept(fresh)), AUDIT_CONSUMER_CONCURRENCY);
  }

  execute({ event }: RecordEventCommand): Promise<boolean> {
    return this.group.submit(event);
  }

  private async accept(fresh: EventEnvelope[]): Promise<void> {
    await this.ledger.accept(fresh);
    // Audit publishes events too (its republish requests), so it answers a request for its own outbox.
    for (const event of fresh) await this.relay.answerRepublishRequest(event);
  }
}
