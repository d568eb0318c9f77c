import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ReviewState } from '../domain/review.aggregate.js';
import { ReviewRepository } from '../persistence/review.repository.js';
import { RecordDecisionCommand } from './record-decision.command.js';

@CommandHandler(RecordDecisionCommand)
export class RecordDecisionHandler implements ICommandHandler<RecordDecisionCommand, ReviewState> {
  constructor(private readonly reviews: ReviewRepository) {}

  async execute({ reviewId, decision, rationale, actor }: RecordDecisionCommand): Promise<ReviewState> {
    const reviewer = { id: actor.id, name: actor.name, org: actor.org };
    const review = await this.reviews.change(reviewId, (r) => r.decide(reviewer, decision, rationale, new Date()));
    return review.toState();
  }
}
