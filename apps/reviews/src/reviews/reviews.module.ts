import { Module } from '@nestjs/common';
import { ReferenceDataModule } from '../reference-data/reference-data.module.js';
import { CancelProgramReviewHandler } from './commands/cancel-program-review.handler.js';
import { OpenReviewHandler } from './commands/open-review.handler.js';
import { RecordDecisionHandler } from './commands/record-decision.handler.js';
import { RescreenReviewsHandler } from './commands/rescreen-reviews.handler.js';
import { ReviewsEventsProcessor } from './events/reviews-events.processor.js';
import { ReviewsController } from './http/reviews.controller.js';
import { ReviewRepository } from './persistence/review.repository.js';

@Module({
  imports: [ReferenceDataModule],
  controllers: [ReviewsController],
  providers: [
    ReviewRepository,
    OpenReviewHandler,
    RecordDecisionHandler,
    RescreenReviewsHandler,
    CancelProgramReviewHandler,
    ReviewsEventsProcessor,
  ],
})
export class ReviewsModule {}
