import { Processor } from '@nestjs/bullmq';
import { eventQueueName } from '#libs/contracts';
import { ConsumerKit, EVENT_CONSUMER_CONCURRENCY, EventProcessor, workerOptions, type EventHandlers } from '#libs/messaging';
import { ClosePlanCommand } from '../commands/close-plan.command.js';
import { MakePlanCommand } from '../commands/make-plan.command.js';

@Processor(eventQueueName('assessments'), workerOptions(EVENT_CONSUMER_CONCURRENCY))
export class AssessmentsEventsProcessor extends EventProcessor<'assessments'> {
  protected readonly handlers: EventHandlers<'assessments'> = {
    // Points count from the approval itself, however late the event is applied.
    'program.approved': ({ payload, occurredAt }) => new MakePlanCommand(payload, new Date(occurredAt)),
    'program.discontinued': ({ payload: p }) => new ClosePlanCommand(p.programId, `program discontinued: ${p.reason}`),
    'program.closed': ({ payload: p }) => new ClosePlanCommand(p.programId, `program closed: ${p.reason}`),
  };

  constructor(kit: ConsumerKit) {
    super('assessments', kit);
  }
}
