import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '#libs/common';
import { REVIEW_DECISIONS, REVIEW_STATUSES, type ReviewDecision } from '#libs/contracts';
import { MIN_RATIONALE_LENGTH } from '../domain/review.aggregate.js';

export class ListReviewsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() programId?: string;
  @ApiPropertyOptional({ enum: REVIEW_STATUSES }) @IsOptional() @IsIn(REVIEW_STATUSES) status?: string;
}

export class DecisionDto {
  @ApiProperty({ enum: REVIEW_DECISIONS }) @IsIn(REVIEW_DECISIONS) decision: ReviewDecision;
  @ApiProperty({ example: 'Objectives are measurable and the partner passed every safeguard check.', minLength: MIN_RATIONALE_LENGTH })
  @IsString() @MinLength(MIN_RATIONALE_LENGTH) @MaxLength(5000)
  rationale: string;
}
