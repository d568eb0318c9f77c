import { Processor } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { EVENT_TYPES, eventQueueName } from '#libs/contracts';
import { ConsumerKit, EventProcessor, type EventHandlers } from '#libs/messaging';
import { RecordEventCommand } from '../commands/record-event.command.js';
import { LedgerChainer } from '../jobs/ledger-chainer.js';

/** Audit subscribes to every event type, and every one is recorded the same way. */
const recordAll = Object.fromEntries(
  EVENT_TYPES.map((type) => [type, (event: ConstructorParameters<typeof RecordEventCommand>[0]) => new RecordEventCommand(event)]),
) as unknown as EventHandlers<'audit'>;

@Processor(eventQueueName('audit'), { concurrency: 8 })
export class AuditEventsProcessor extends EventProcessor<'audit'> {
  protected readonly handlers = recordAll;

  constructor(
    kit: ConsumerKit,
    private readonly chainer: LedgerChainer,
  ) {
    super('audit', kit);
  }

  /** Once the event's inbox transaction has committed, its entry can be chained. */
  override async process(job: Job): Promise<boolean> {
    const applied = await super.process(job);
    if (applied) this.chainer.kick();
    return applied;
  }
}
