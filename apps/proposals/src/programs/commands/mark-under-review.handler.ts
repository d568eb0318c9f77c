import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ProgramRepository } from '../persistence/program.repository.js';
import { MarkUnderReviewCommand } from './mark-under-review.command.js';

@CommandHandler(MarkUnderReviewCommand)
export class MarkUnderReviewHandler implements ICommandHandler<MarkUnderReviewCommand, void> {
  constructor(private readonly programs: ProgramRepository) {}

  async execute({ programId, reviewId, round }: MarkUnderReviewCommand): Promise<void> {
    await this.programs.change(programId, (p) => {
      // A review opened for a round the program has left (withdrawn, resubmitted) changes nothing.
      if (p.status === 'SUBMITTED' && p.round === round) p.markUnderReview(reviewId, round, new Date());
    });
  }
}
