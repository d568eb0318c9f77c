import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { DisbursementState } from '../domain/disbursement.aggregate.js';
import { releaseDisbursement } from '../domain/funding-policy.js';
import { FundingRepository } from '../persistence/funding.repository.js';
import { ReleaseDisbursementCommand } from './release-disbursement.command.js';

@CommandHandler(ReleaseDisbursementCommand)
export class ReleaseDisbursementHandler implements ICommandHandler<ReleaseDisbursementCommand, DisbursementState> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ disbursementId, paymentReference, actor }: ReleaseDisbursementCommand): Promise<DisbursementState> {
    const disbursement = await this.funding.changeDisbursement(disbursementId, 'exclusive', (account, d) =>
      releaseDisbursement(account, d, actor.id, paymentReference, new Date()),
    );
    return disbursement.toState();
  }
}
