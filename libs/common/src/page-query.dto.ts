import { ParseUUIDPipe } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ValidationError } from '#libs/core';

/** `?limit=` (default 50, max 500) and `?cursor=` of every list (API.md). Extend it per list. */
export class PageQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional() @IsString() @MaxLength(500)
  cursor?: string;
}

/** The body of a command that takes none: any field sent is refused, as on every other command. */
export class EmptyBodyDto {}

/** A path id that must be a uuid: anything else is a 400 naming the parameter, never a database error. */
export const UuidParam = (name = 'id') =>
  new ParseUUIDPipe({
    exceptionFactory: () => new ValidationError(`${name} must be a uuid`, [{ field: name, problems: ['must be a uuid'] }]),
  });
