import { Processor } from '@nestjs/bullmq';
import { eventQueueName } from '#libs/contracts';
import { ConsumerKit, EVENT_CONSUMER_CONCURRENCY, EventProcessor, workerOptions, type EventHandlers } from '#libs/messaging';
import { ApplyAssessmentOutcomeCommand } from '../commands/apply-assessment-outcome.command.js';
import { CompleteReviewCommand } from '../commands/complete-review.command.js';
import { MarkUnderReviewCommand } from '../commands/mark-under-review.command.js';

@Processor(eventQueueName('proposals'), workerOptions(EVENT_CONSUMER_CONCURRENCY))
export class ProposalsEventsProcessor extends EventProcessor<'proposals'> {
  protected readonly handlers: EventHandlers<'proposals'> = {
    'review.opened': ({ payload: p }) => new MarkUnderReviewCommand(p.programId, p.reviewId, p.round),
    'review.completed': ({ payload: p, actor }) => new CompleteReviewCommand(p.programId, p.reviewId, p.outcome, p.rationale, actor),
    'assessment.completed': ({ payload: p, actor }) =>
      new ApplyAssessmentOutcomeCommand(p.programId, p.assessmentId, p.outcome, p.narrative, actor),
  };

  constructor(kit: ConsumerKit) {
    super('proposals', kit);
  }
}
