import { Processor } from '@nestjs/bullmq';
import { eventQueueName } from '#libs/contracts';
import { ConsumerKit, EVENT_CONSUMER_CONCURRENCY, EventProcessor, workerOptions, type EventHandlers } from '#libs/messaging';
import { CancelProgramReviewCommand } from '../commands/cancel-program-review.command.js';
import { OpenReviewCommand } from '../commands/open-review.command.js';

@Processor(eventQueueName('reviews'), workerOptions(EVENT_CONSUMER_CONCURRENCY))
export class ReviewsEventsProcessor extends EventProcessor<'reviews'> {
  protected readonly handlers: EventHandlers<'reviews'> = {
    'program.submitted': ({ payload: p }) => new OpenReviewCommand(p.program, p.round),
    'program.withdrawn': ({ payload: p }) => new CancelProgramReviewCommand(p.programId, p.reason),
  };

  constructor(kit: ConsumerKit) {
    super('reviews', kit);
  }
}
