import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { DisbursementState } from '../domain/disbursement.aggregate.js';
import { rejectDisbursement } from '../domain/funding-policy.js';
import { FundingRepository } from '../persistence/funding.repository.js';
import { RejectDisbursementCommand } from './reject-disbursement.command.js';

@CommandHandler(RejectDisbursementCommand)
export class RejectDisbursementHandler implements ICommandHandler<RejectDisbursementCommand, DisbursementState> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ disbursementId, reason, actor }: RejectDisbursementCommand): Promise<DisbursementState> {
    const disbursement = await this.funding.changeDisbursement(disbursementId, 'exclusive', (account, d) =>
      rejectDisbursement(account, d, actor, reason, new Date()),
    );
    return disbursement.toState();
  }
}
