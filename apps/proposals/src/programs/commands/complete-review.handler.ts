import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OutOfOrderEventError } from '#libs/messaging';
import { ProgramRepository } from '../persistence/program.repository.js';
import { CompleteReviewCommand } from './complete-review.command.js';

@CommandHandler(CompleteReviewCommand)
export class CompleteReviewHandler implements ICommandHandler<CompleteReviewCommand, void> {
  constructor(private readonly programs: ProgramRepository) {}

  async execute({ programId, reviewId, outcome, rationale, decidedBy }: CompleteReviewCommand): Promise<void> {
    await this.programs.change(programId, (p) => {
      if (p.status === 'SUBMITTED') throw new OutOfOrderEventError(`review ${reviewId} completed before it opened`);
      // Only the current review decides; a late result of a cancelled round changes nothing.
      if (p.status === 'UNDER_REVIEW' && p.currentReviewId === reviewId) {
        p.completeReview(reviewId, outcome, rationale, decidedBy, new Date());
      }
    });
  }
}
