import { Processor } from '@nestjs/bullmq';
import { eventQueueName } from '#libs/contracts';
import { ConsumerKit, EventProcessor, type EventHandlers } from '#libs/messaging';
import { CompleteReviewCommand } from '../commands/complete-review.command.js';
import { MarkUnderReviewCommand } from '../commands/mark-under-review.command.js';

@Processor(eventQueueName('proposals'), { concurrency: 8 })
export class ProposalsEventsProcessor extends EventProcessor<'proposals'> {
  protected readonly handlers: EventHandlers<'proposals'> = {
    'review.opened': ({ payload: p }) => new MarkUnderReviewCommand(p.programId, p.reviewId, p.round),
    'review.completed': ({ payload: p }) => new CompleteReviewCommand(p.programId, p.reviewId, p.outcome, p.rationale),
    'assessment.completed': () => {
      throw new Error('assessment.completed is not handled yet');
    },
  };

  constructor(kit: ConsumerKit) {
    super('proposals', kit);
  }
}
