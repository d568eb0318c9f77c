import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '#libs/auth';
import { UuidParam } from '#libs/common';
import { ValidationError } from '#libs/core';
import { CSV_HEADER, toCsvRow, toNdjsonLine } from '../domain/export-format.js';
import type { StoredLedgerEntry } from '../domain/ledger-hash.js';
import { LedgerReader } from '../persistence/ledger.reader.js';
import { inSeqOrder, type LedgerFilter } from '../persistence/ledger-sql.js';
import { afterSeq, CheckpointPageDto, ExportLedgerQueryDto, LedgerFilterDto, ledgerPageOf, ListLedgerQueryDto, parseSeq, TimelineQueryDto } from './ledger.dto.js';

const EXPORTS = {
  ndjson: { contentType: 'application/x-ndjson; charset=utf-8', header: '', line: toNdjsonLine },
  csv: { contentType: 'text/csv; charset=utf-8', header: CSV_HEADER, line: toCsvRow },
} satisfies Record<ExportLedgerQueryDto['format'], { contentType: string; header: string; line: (e: StoredLedgerEntry) => string }>;

/** Resolves when the client has taken the buffered output, or has gone away; leaves no listener behind. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function filterOf(query: LedgerFilterDto): LedgerFilter {
  const { aggregateId, type, actorId, source, correlationId, programId, from, to } = query;
  // Swapped bounds match nothing: an auditor would read an empty export as "nothing happened".
  if (from && to && Date.parse(from) > Date.parse(to)) {
    throw new ValidationError('to must not be before from', [{ field: 'to', problems: [`must not be before from (${from})`] }]);
  }
  return { aggregateId, type, actorId, source, correlationId, programId, from, to };
}

@ApiTags('audit')
@ApiBearerAuth()
@Roles('auditor')
@Controller('audit')
export class AuditController {
  constructor(private readonly ledger: LedgerReader) {}

  @Get('events')
  list(@Query() query: ListLedgerQueryDto) {
    return this.ledger.list(filterOf(query), ledgerPageOf(query), query.limit);
  }

  @Get('events/:seq')
  get(@Param('seq') seq: string) {
    return this.ledger.get(parseSeq(seq));
  }

  @Get('programs/:programId/timeline')
  timeline(@Param('programId', UuidParam('programId')) programId: string, @Query() query: TimelineQueryDto) {
    return this.ledger.list({ programId }, inSeqOrder(afterSeq(query)), query.limit);
  }

  @Get('verify')
  @ApiOkResponse({
    schema: {
      example: {
        valid: false,
        checked: 1200,
        headSeq: 1200,
        headHash: 'ab'.repeat(32),
        firstInvalidSeq: 501,
        reason: 'hash mismatch',
        checkpoints: 12,
        gaps: [{ source: 'reviews', fromSeq: 40, toSeq: 41 }],
        unrecorded: [{ source: 'proposals', fromSeq: 912, toSeq: 913 }],
      },
    },
  })
  verify() {
    return this.ledger.verify();
  }

  @Get('head')
  @ApiOkResponse({ schema: { example: { seq: 1200, hash: 'ab'.repeat(32), recordedAt: '2026-05-01T10:00:00.000Z' } } })
  head() {
    return this.ledger.head();
  }

  /**
   * The signed checkpoints and the key they verify under, for verifying an export away from this
   * service (`npm run audit:verify -- --file`): a superuser can rewrite the ledger and its hashes,
   * but cannot sign a checkpoint without the key.
   */
  @Get('checkpoints')
  @ApiOkResponse({
    schema: {
      example: {
        items: [{ seq: 1200, hash: 'ab'.repeat(32), signedAt: '2026-05-01T10:00:00.000Z', signature: 'base64 Ed25519 signature' }],
        nextCursor: '1200',
        publicKey: '-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n',
      },
    },
  })
  checkpoints(@Query() query: CheckpointPageDto) {
    return this.ledger.checkpoints(query.cursor === undefined ? null : Number(query.cursor), query.limit);
  }

  /**
   * Streams the matching entries in keyset batches; each batch is written only once the client
   * has taken the previous one (backpressure), so memory stays flat for any ledger size.
   */
  @Get('export')
  @ApiProduces('application/x-ndjson', 'text/csv')
  async export(@Query() query: ExportLedgerQueryDto, @Res() res: Response): Promise<void> {
    const format = EXPORTS[query.format];
    // The answer starts with the first batch, so a failure before it (Postgres down) still gets
    // the error filter's body instead of a dropped connection.
    let started = false;
    const start = () => {
      started = true;
      res.status(200);
      res.setHeader('Content-Type', format.contentType);
      res.setHeader('Content-Disposition', `attachment; filename="audit-ledger.${query.format}"`);
      res.setHeader('Cache-Control', 'no-store');
      return format.header;
    };
    try {
      for await (const batch of this.ledger.batches(filterOf(query))) {
        if (res.destroyed) return;
        let chunk = started ? '' : start();
        for (const entry of batch) chunk += format.line(entry);
        if (!res.write(chunk)) await drained(res);
      }
      res.end(started ? undefined : start());
    } catch (err) {
      if (!started) throw err;
      // Headers are gone: the only honest signal left is an aborted response.
      res.destroy(err as Error);
    }
  }
}
