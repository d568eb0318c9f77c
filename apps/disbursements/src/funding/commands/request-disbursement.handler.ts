import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { RuleViolationError } from '#libs/core';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import type { DisbursementAggregate, DisbursementState } from '../domain/disbursement.aggregate.js';
import { requestDisbursement } from '../domain/funding-policy.js';
import { FundingRepository } from '../persistence/funding.repository.js';
import { RequestDisbursementCommand } from './request-disbursement.command.js';

@CommandHandler(RequestDisbursementCommand)
export class RequestDisbursementHandler implements ICommandHandler<RequestDisbursementCommand, DisbursementState> {
  constructor(
    private readonly funding: FundingRepository,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async execute(command: RequestDisbursementCommand): Promise<DisbursementState> {
    const { programId, amountCents, purpose, idempotencyKey, actor } = command;
    const disbursement = await this.funding.request(programId, idempotencyKey, (account, earlier, dualApprovalCents) => {
      if (earlier) return sameRequest(earlier, command);
      const input = { id: uuidv7(), amountCents, purpose, requestedBy: actor, idempotencyKey };
      return requestDisbursement(account, input, dualApprovalCents ?? this.config.dualApprovalThresholdCents, new Date());
    });
    return disbursement.toState();
  }
}

/** A retry gets the request its key made; the same key on another request is the client's bug, not a retry. */
function sameRequest(earlier: DisbursementAggregate, { amountCents, purpose, actor, idempotencyKey }: RequestDisbursementCommand) {
  if (earlier.amountCents === amountCents && earlier.purpose === purpose && earlier.requestedBy === actor.id) return earlier;
  throw new RuleViolationError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${idempotencyKey} was already used for another request`, {
    disbursementId: earlier.id,
    programId: earlier.programId,
  });
}
