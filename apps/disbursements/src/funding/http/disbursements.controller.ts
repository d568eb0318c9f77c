import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#libs/contracts';
import { ValidationError } from '#libs/core';
import { CurrentActor, Roles } from '#libs/auth';
import { UuidParam } from '#libs/common';
import { ApproveDisbursementCommand } from '../commands/approve-disbursement.command.js';
import { CancelDisbursementCommand } from '../commands/cancel-disbursement.command.js';
import { RejectDisbursementCommand } from '../commands/reject-disbursement.command.js';
import { ReleaseDisbursementCommand } from '../commands/release-disbursement.command.js';
import { RequestDisbursementCommand } from '../commands/request-disbursement.command.js';
import type { DisbursementState } from '../domain/disbursement.aggregate.js';
import { FundingRepository } from '../persistence/funding.repository.js';
import {
  ApproveDisbursementDto,
  ListDisbursementsQueryDto,
  ReasonDto,
  ReleaseDisbursementDto,
  RequestDisbursementDto,
} from './disbursement.dto.js';
import { disbursementView } from './disbursement.view.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

@ApiTags('disbursements')
@ApiBearerAuth()
@Controller('disbursements')
export class DisbursementsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly funding: FundingRepository,
  ) {}

  @Post()
  @Roles('grant_manager')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'A retry with the same key (per program) returns the first request and reserves once; the same key with a different body is 409 IDEMPOTENCY_KEY_REUSED.',
  })
  request(
    @Body() body: RequestDisbursementDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentActor() actor: Actor,
  ) {
    const key = idempotencyKeyOf(idempotencyKey);
    return this.run(new RequestDisbursementCommand(body.programId, body.amountCents, body.purpose, key, actor));
  }

  @Get()
  async list(@Query() query: ListDisbursementsQueryDto) {
    const page = await this.funding.list(query);
    return { ...page, items: page.items.map(disbursementView) };
  }

  @Get(':id')
  async get(@Param('id', UuidParam()) id: string) {
    return disbursementView(await this.funding.getDisbursement(id));
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('approver')
  approve(@Param('id', UuidParam()) id: string, @Body() body: ApproveDisbursementDto, @CurrentActor() actor: Actor) {
    return this.run(new ApproveDisbursementCommand(id, body.comment ?? null, actor));
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('approver')
  reject(@Param('id', UuidParam()) id: string, @Body() body: ReasonDto, @CurrentActor() actor: Actor) {
    return this.run(new RejectDisbursementCommand(id, body.reason, actor));
  }

  @Post(':id/release')
  @HttpCode(200)
  @Roles('approver')
  release(@Param('id', UuidParam()) id: string, @Body() body: ReleaseDisbursementDto, @CurrentActor() actor: Actor) {
    return this.run(new ReleaseDisbursementCommand(id, body.paymentReference, actor));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('grant_manager')
  cancel(@Param('id', UuidParam()) id: string, @Body() body: ReasonDto, @CurrentActor() actor: Actor) {
    return this.run(new CancelDisbursementCommand(id, body.reason, actor));
  }

  private async run(command: object) {
    return disbursementView(await this.commands.execute<object, DisbursementState>(command));
  }
}

/** The key is stored and compared verbatim, so only printable ASCII of a bounded length is accepted. */
function idempotencyKeyOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (IDEMPOTENCY_KEY.test(header)) return header;
  const problem = 'must be 1 to 200 printable ASCII characters';
  throw new ValidationError(`Idempotency-Key ${problem}`, [{ field: 'Idempotency-Key', problems: [problem] }]);
}
