import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { DisbursementState } from '../domain/disbursement.aggregate.js';
import { cancelDisbursement } from '../domain/funding-policy.js';
import { FundingRepository } from '../persistence/funding.repository.js';
import { CancelDisbursementCommand } from './cancel-disbursement.command.js';

@CommandHandler(CancelDisbursementCommand)
export class CancelDisbursementHandler implements ICommandHandler<CancelDisbursementCommand, DisbursementState> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ disbursementId, reason, actor }: CancelDisbursementCommand): Promise<DisbursementState> {
    const disbursement = await this.funding.changeDisbursement(disbursementId, 'exclusive', (account, d) =>
      cancelDisbursement(account, d, actor, reason, new Date()),
    );
    return disbursement.toState();
  }
}
