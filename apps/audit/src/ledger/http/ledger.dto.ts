import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { EVENT_TYPES, SERVICES } from '#libs/contracts';
import { ValidationError } from '#libs/core';
import { inSeqOrder, type LedgerPage } from '../persistence/ledger-sql.js';

/** A ledger seq as text: digits only, below 2^53, so it parses exactly (never a database error). */
const SEQ = /^(0|[1-9]\d{0,14})$/;

/** ISO instants are compared as the ledger stores them: normalised to toISOString() form. */
const toIso = ({ value }: { value: unknown }) => {
  const date = typeof value === 'string' ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : value;
};

export class LedgerFilterDto {
  @ApiPropertyOptional({ example: '0190f0c0-0000-7000-8000-000000000001' })
  @IsOptional() @IsString() @MaxLength(200) aggregateId?: string;

  @ApiPropertyOptional({ enum: EVENT_TYPES, example: 'program.submitted' })
  @IsOptional() @IsIn(EVENT_TYPES) type?: string;

  @ApiPropertyOptional({ example: 'gm-ana' })
  @IsOptional() @IsString() @MaxLength(200) actorId?: string;

  @ApiPropertyOptional({ enum: SERVICES })
  @IsOptional() @IsIn(SERVICES) source?: string;

  @ApiPropertyOptional({ example: 'slice-test-1' })
  @IsOptional() @IsString() @MaxLength(200) correlationId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "entries about this program, from every service (its timeline's)" })
  @IsOptional() @IsUUID() programId?: string;

  @ApiPropertyOptional({ description: 'recordedAt at or after (ISO 8601)', example: '2026-01-01T00:00:00Z' })
  @IsOptional() @IsISO8601({ strict: true }) @Transform(toIso) from?: string;

  @ApiPropertyOptional({ description: 'recordedAt at or before (ISO 8601), not before from', example: '2026-12-31T23:59:59Z' })
  @IsOptional() @IsISO8601({ strict: true }) @Transform(toIso) to?: string;
}

/** Keyset paging by seq: `after` (API.md) or the list convention's `cursor`, both a nextCursor. */
export class SeqPageDto {
  @ApiPropertyOptional({ description: 'return entries after this seq (the nextCursor of the previous page)', example: '0' })
  @IsOptional() @Matches(SEQ, { message: 'after must be a ledger seq (a non-negative integer)' }) after?: string;

  @ApiPropertyOptional({ description: 'same as after' })
  @IsOptional() @Matches(SEQ, { message: 'cursor must be a nextCursor of this list' }) cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit: number = 50;
}

export const LEDGER_ORDERS = ['asc', 'desc'] as const;

export class ListLedgerQueryDto extends IntersectionType(LedgerFilterDto, SeqPageDto) {
  @ApiPropertyOptional({
    enum: LEDGER_ORDERS,
    default: 'asc',
    description: 'desc: newest first; then `cursor` (a nextCursor) continues with older entries, and `after` still bounds them from below',
  })
  @IsOptional() @IsIn(LEDGER_ORDERS) order: (typeof LEDGER_ORDERS)[number] = 'asc';
}

/** A program's timeline is read whole as a rule: a larger default page than other lists. */
export class TimelineQueryDto extends SeqPageDto {
  @ApiPropertyOptional({ default: 500, minimum: 1, maximum: 500 })
  override limit: number = 500;
}

/** Checkpoints newest first: `cursor` (a nextCursor) continues with older ones. */
export class CheckpointPageDto {
  @ApiPropertyOptional({ description: 'return checkpoints below this seq (the nextCursor of the previous page)' })
  @IsOptional() @Matches(SEQ, { message: 'cursor must be a nextCursor of this list' }) cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit: number = 50;
}

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;

export class ExportLedgerQueryDto extends LedgerFilterDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'ndjson' })
  @IsOptional() @IsIn(EXPORT_FORMATS) format: (typeof EXPORT_FORMATS)[number] = 'ndjson';
}

/** The position to continue after: `after` or `cursor` (they mean the same), else the start. */
export function afterSeq(query: { after?: string; cursor?: string }): number {
  return Number(query.after ?? query.cursor ?? 0);
}

/** Where a page of the list starts: in seq order after `after`/`cursor`; newest first, below `cursor` and above `after`. */
export function ledgerPageOf(query: ListLedgerQueryDto): LedgerPage {
  if (query.order === 'asc') return inSeqOrder(afterSeq(query));
  return { afterSeq: Number(query.after ?? 0), beforeSeq: query.cursor === undefined ? null : Number(query.cursor), descending: true };
}

/** `:seq` of GET /audit/events/:seq. */
export function parseSeq(raw: string): number {
  if (!SEQ.test(raw) || raw === '0') {
    throw new ValidationError('seq must be a positive integer', [{ field: 'seq', problems: ['must be a positive integer'] }]);
  }
  return Number(raw);
}
