import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ReviewRepository } from '../persistence/review.repository.js';
import { CancelProgramReviewCommand } from './cancel-program-review.command.js';

@CommandHandler(CancelProgramReviewCommand)
export class CancelProgramReviewHandler implements ICommandHandler<CancelProgramReviewCommand, void> {
  constructor(private readonly reviews: ReviewRepository) {}

  async execute({ programId, reason }: CancelProgramReviewCommand): Promise<void> {
    await this.reviews.lockProgram(programId);
    await this.reviews.markWithdrawn(programId, reason, new Date());
    const reviewId = await this.reviews.openReviewIdOf(programId);
    if (reviewId) await this.reviews.change(reviewId, (r) => r.cancel(`Program withdrawn: ${reason}`, new Date()));
  }
}
