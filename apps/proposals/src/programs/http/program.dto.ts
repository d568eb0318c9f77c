import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { NotBlank, PageQueryDto } from '#libs/common';
import { COUNTRIES, PILLARS, PROGRAM_STATUSES, type Country, type Pillar } from '#libs/contracts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** $1 trillion: far above any program, far below where integer cents lose precision. */
const MAX_CENTS = 100_000_000_000_000;

export class IndicatorDto {
  @ApiProperty({ example: 'Youth completing vocational training' }) @IsString() @Length(1, 200) name: string;
  // Unit, baseline and target may be missing here: the review's measurable-objectives check judges them.
  @ApiProperty({ example: 'people' }) @IsString() @MaxLength(50) unit: string;
  @ApiPropertyOptional({ example: 0, nullable: true }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) baseline: number | null = null;
  @ApiPropertyOptional({ example: 1200, nullable: true }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) target: number | null = null;
}

export class ObjectiveDto {
  @ApiProperty({ example: 'Increase youth employment in Huehuetenango' }) @IsString() @Length(1, 1000) description: string;
  @ApiProperty({ type: [IndicatorDto] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(10) @ValidateNested({ each: true }) @Type(() => IndicatorDto)
  indicators: IndicatorDto[];
}

export class PartnerDto {
  @ApiProperty({ example: 'Fundación Ejemplo para el Desarrollo' }) @IsString() @Length(2, 200) name: string;
  @ApiPropertyOptional({ example: 'GT-1234567' }) @IsOptional() @IsString() @Length(1, 64) registrationId?: string;
  @ApiProperty({ enum: COUNTRIES }) @IsIn(COUNTRIES) country: Country;
}

export class CofundingDto {
  @ApiProperty({ example: 'Municipality of Huehuetenango' }) @IsString() @Length(1, 200) partner: string;
  @ApiProperty({ example: 25_000_000 }) @IsInt() @Min(1) @Max(MAX_CENTS) amountCents: number;
}

export class CreateProgramDto {
  @ApiProperty({ example: 'Youth employment in the Western Highlands' }) @IsString() @Length(3, 200) title: string;
  @ApiProperty({ example: 'Vocational training and job placement for young people at risk of migrating.' })
  @IsString() @Length(1, 5000) summary: string;
  @ApiProperty({ enum: COUNTRIES }) @IsIn(COUNTRIES) country: Country;
  @ApiProperty({ enum: PILLARS }) @IsIn(PILLARS) pillar: Pillar;
  @ApiProperty({ type: [ObjectiveDto] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => ObjectiveDto)
  objectives: ObjectiveDto[];
  @ApiProperty({ example: ['Huehuetenango', 'San Marcos'] })
  @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Length(1, 100, { each: true })
  targetAreas: string[];
  @ApiProperty({ type: PartnerDto }) @IsObject() @ValidateNested() @Type(() => PartnerDto) implementingPartner: PartnerDto;
  @ApiProperty({ example: 250_000_000, description: 'US cents' }) @IsInt() @Min(1) @Max(MAX_CENTS) budgetCents: number;
  @ApiPropertyOptional({ type: [CofundingDto] })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => CofundingDto)
  cofunding?: CofundingDto[];
  @ApiProperty({ example: '2027-01-01' }) @IsString() @Matches(DATE, { message: 'startDate must be YYYY-MM-DD' }) startDate: string;
  @ApiProperty({ example: '2027-12-31' }) @IsString() @Matches(DATE, { message: 'endDate must be YYYY-MM-DD' }) endDate: string;
  @ApiPropertyOptional({ example: 90, minimum: 30, maximum: 365 }) @IsOptional() @IsInt() @Min(30) @Max(365)
  assessmentCadenceDays?: number;
}

export class ListProgramsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PROGRAM_STATUSES }) @IsOptional() @IsIn(PROGRAM_STATUSES) status?: string;
  @ApiPropertyOptional({ enum: COUNTRIES }) @IsOptional() @IsIn(COUNTRIES) country?: string;
  @ApiPropertyOptional({ enum: PILLARS }) @IsOptional() @IsIn(PILLARS) pillar?: string;
  @ApiPropertyOptional({ description: 'title search' }) @IsOptional() @IsString() @MaxLength(200) q?: string;
  @ApiPropertyOptional({ description: 'who drafted it (the `sub` of their token): a grant manager\'s own programs' })
  @IsOptional() @IsString() @NotBlank() @MaxLength(200)
  createdBy?: string;
}

/**
 * A revision: any create field, with the version the client read. A field sent as null is a 400
 * (skipNullProperties: false), except the optional ones, where null restores the default.
 */
export class ReviseProgramDto extends PartialType(CreateProgramDto, { skipNullProperties: false }) {
  @ApiProperty({ example: 1, description: 'the version the client read; a stale one is 409 STALE_VERSION' })
  @IsInt() @Min(0) @Max(2_147_483_647)
  expectedVersion: number;
}

/** Withdraw, suspend, reinstate and close: the status history says why. */
export class ReasonDto {
  @ApiProperty({ example: 'Implementing partner lost its registration; funds on hold pending inquiry.' })
  @IsString() @NotBlank() @MaxLength(2000)
  reason: string;
}
