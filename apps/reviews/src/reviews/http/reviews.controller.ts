import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '#libs/auth';
import { UuidParam } from '#libs/common';
import { ReviewRepository } from '../persistence/review.repository.js';

@ApiTags('reviews')
@ApiBearerAuth()
@Controller('reviews')
export class ReviewsController {
  constructor(private readonly reviews: ReviewRepository) {}

  @Get(':id')
  @Roles('reviewer', 'auditor', 'grant_manager')
  get(@Param('id', UuidParam()) id: string) {
    return this.reviews.get(id);
  }
}
