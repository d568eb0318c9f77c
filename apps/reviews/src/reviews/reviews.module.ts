import { Module } from '@nestjs/common';
import { ReferenceDataRepository } from '../reference-data/persistence/reference-data.repository.js';
import { CancelProgramReviewHandler } from './commands/cancel-program-review.handler.js';
import { OpenReviewHandler } from './commands/open-review.handler.js';
import { ReviewsEventsProcessor } from './events/reviews-events.processor.js';
import { ReviewsController } from './http/reviews.controller.js';
import { ReviewRepository } from './persistence/review.repository.js';

@Module({
  controllers: [ReviewsController],
  providers: [ReviewRepository, ReferenceDataRepository, OpenReviewHandler, CancelProgramReviewHandler, ReviewsEventsProcessor],
})
export class ReviewsModule {}
