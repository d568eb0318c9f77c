import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { NotBlank, PageQueryDto } from '#libs/common';
import { ASSESSMENT_OUTCOMES, ASSESSMENT_STATUSES, type AssessmentOutcome } from '#libs/contracts';
import { MAX_CADENCE_DAYS, MIN_CADENCE_DAYS } from '../domain/assessment-plan.js';

const INSTANT = { strict: true, strictSeparator: true } as const;

export class ListAssessmentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() programId?: string;
  @ApiPropertyOptional({ enum: ASSESSMENT_STATUSES }) @IsOptional() @IsIn(ASSESSMENT_STATUSES) status?: string;
  @ApiPropertyOptional({ example: '2027-06-30T00:00:00Z', description: 'points due before this instant' })
  @IsOptional() @IsISO8601(INSTANT) dueBefore?: string;
}

export class ChangeCadenceDto {
  @ApiProperty({ example: 60, minimum: MIN_CADENCE_DAYS, maximum: MAX_CADENCE_DAYS })
  @IsInt() @Min(MIN_CADENCE_DAYS) @Max(MAX_CADENCE_DAYS)
  cadenceDays: number;
}

export class TriggerAssessmentDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() programId: string;
  @ApiProperty({ example: 'Press reports of irregular hiring at the partner' }) @IsString() @NotBlank() @Length(1, 1000) reason: string;
}

export class RescheduleAssessmentDto {
  @ApiProperty({ example: '2027-05-15T00:00:00Z' }) @IsISO8601(INSTANT) dueAt: string;
  @ApiProperty({ example: 'Field visit moved after the rainy season' }) @IsString() @NotBlank() @Length(1, 1000) reason: string;
}

export class IndicatorResultDto {
  @ApiProperty({ example: 'Youth placed in jobs' }) @IsString() @Length(1, 200) indicator: string;
  @ApiProperty({ example: 340 }) @IsNumber({ allowNaN: false, allowInfinity: false }) value: number;
}

export class RecordOutcomeDto {
  @ApiProperty({ enum: ASSESSMENT_OUTCOMES }) @IsIn(ASSESSMENT_OUTCOMES) outcome: AssessmentOutcome;
  @ApiProperty({ example: 'Placements are on track; retention data still thin in San Marcos.', minLength: 20 })
  @IsString() @MaxLength(10_000)
  narrative: string;
  @ApiProperty({ type: [IndicatorResultDto] })
  @IsArray() @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => IndicatorResultDto)
  indicatorResults: IndicatorResultDto[];
  @ApiPropertyOptional({ example: ['Publish quarterly retention figures'], description: 'needed for STRENGTHEN' })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Length(1, 1000, { each: true })
  requiredActions?: string[];
}
