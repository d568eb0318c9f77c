import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#libs/contracts';
import { CurrentActor, Roles } from '#libs/auth';
import { UuidParam } from '#libs/common';
import { RecordDecisionCommand } from '../commands/record-decision.command.js';
import { ReviewRepository } from '../persistence/review.repository.js';
import { DecisionDto, ListReviewsQueryDto } from './review.dto.js';

@ApiTags('reviews')
@ApiBearerAuth()
@Controller('reviews')
export class ReviewsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly reviews: ReviewRepository,
  ) {}

  @Get()
  @Roles('reviewer', 'auditor')
  list(@Query() query: ListReviewsQueryDto) {
    return this.reviews.list(query);
  }

  @Get(':id')
  @Roles('reviewer', 'auditor', 'grant_manager')
  get(@Param('id', UuidParam()) id: string) {
    return this.reviews.get(id);
  }

  /** Conflicts of interest and a second decision by the same reviewer are 403s, audited on the program. */
  @Post(':id/decisions')
  @HttpCode(200)
  @Roles('reviewer')
  decide(@Param('id', UuidParam()) id: string, @Body() body: DecisionDto, @CurrentActor() actor: Actor) {
    return this.commands.execute(new RecordDecisionCommand(id, body.decision, body.rationale, actor));
  }
}
