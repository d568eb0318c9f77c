import { ParseEnumPipe } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { NotBlank, PageQueryDto } from '#libs/common';
import { COUNTRIES, THRESHOLD_NAMES } from '#libs/contracts';
import { ValidationError } from '#libs/core';

export class CreateRestrictedPartyDto {
  @ApiProperty({ example: 'Constructora Ejemplo S.A. de C.V.' }) @IsString() @Length(2, 200) name: string;
  @ApiPropertyOptional({ example: '0614-290190-102-3' })
  @IsOptional() @IsString() @Length(1, 64) @Matches(/[\p{L}\p{N}]/u, { message: 'registrationId must contain letters or digits' })
  registrationId?: string;
  @ApiProperty({ example: 'Designated for bid rigging on public works (fictional example).' })
  @IsString() @NotBlank() @MaxLength(2000)
  reason: string;
  @ApiProperty({ example: 'Section 353 Corrupt and Undemocratic Actors Report, 2021' })
  @IsString() @NotBlank() @MaxLength(500)
  source: string;
}

/** DELETE /restricted-parties/:id may say why (API.md names no body; one without a reason is still accepted). */
export class RemoveRestrictedPartyDto {
  @ApiPropertyOptional({ example: 'Designation lifted by the issuing authority on 2027-03-01.' })
  @IsOptional() @IsString() @NotBlank() @MaxLength(2000)
  reason?: string;
}

export class ListRestrictedPartiesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'ejemplo', description: 'part of a name or registration id, compared as the restricted-party check compares them (case, accents, punctuation, legal suffixes)' })
  @IsOptional() @IsString() @Length(1, 200) @Matches(/[\p{L}\p{N}]/u, { message: 'q must contain letters or digits' })
  q?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'also list removed parties, with who removed them and when' })
  @IsOptional() @IsIn(['true', 'false'])
  includeRemoved?: 'true' | 'false';
}

export class PriorityAreasDto {
  @ApiProperty({ example: ['Huehuetenango', 'San Marcos', 'Quiché'] })
  @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @Length(1, 100, { each: true })
  areas: string[];
  @ApiPropertyOptional({ example: 3, description: 'the version of the list the admin edited; a stale one is 409 STALE_VERSION' })
  @IsOptional() @IsInt() @Min(0) @Max(2_147_483_647)
  expectedVersion?: number;
}

/** A path parameter that must be one of `values`: anything else is a 400 naming it. */
const OneOfParam = (field: string, values: readonly string[], what: string) =>
  new ParseEnumPipe(Object.fromEntries(values.map((v) => [v, v])), {
    exceptionFactory: () =>
      new ValidationError(`${field} must be one of the ${what}`, [{ field, problems: [`${field} must be one of ${values.join(', ')}`] }]),
  });

export const CountryParam = () => OneOfParam('country', COUNTRIES, 'reference countries');
export const ThresholdParam = () => OneOfParam('name', THRESHOLD_NAMES, 'thresholds');

export class ThresholdDto {
  @ApiProperty({ example: 500_000_000, description: 'integer US cents' })
  @IsInt() @Min(1) @Max(Number.MAX_SAFE_INTEGER)
  amountCents: number;
  @ApiPropertyOptional({ example: 2, description: 'the version of the threshold the admin read; a stale one is 409 STALE_VERSION' })
  @IsOptional() @IsInt() @Min(0) @Max(2_147_483_647)
  expectedVersion?: number;
}
