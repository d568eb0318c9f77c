import { Processor } from '@nestjs/bullmq';
import { EVENT_TYPES, eventQueueName } from '#libs/contracts';
import { ConsumerKit, EventProcessor, type EventHandlers } from '#libs/messaging';
import { RecordEventCommand } from '../commands/record-event.command.js';

/** Audit subscribes to every event type, and every one is recorded the same way. */
const recordAll = Object.fromEntries(
  EVENT_TYPES.map((type) => [type, (event: ConstructorParameters<typeof RecordEventCommand>[0]) => new RecordEventCommand(event)]),
) as unknown as EventHandlers<'audit'>;

@Processor(eventQueueName('audit'), { concurrency: 8 })
export class AuditEventsProcessor extends EventProcessor<'audit'> {
  protected readonly handlers = recordAll;

  constructor(kit: ConsumerKit) {
    super('audit', kit);
  }
}
