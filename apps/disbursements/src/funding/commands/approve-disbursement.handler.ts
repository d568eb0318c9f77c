import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { DisbursementState } from '../domain/disbursement.aggregate.js';
import { approveDisbursement } from '../domain/funding-policy.js';
import { FundingRepository } from '../persistence/funding.repository.js';
import { ApproveDisbursementCommand } from './approve-disbursement.command.js';

@CommandHandler(ApproveDisbursementCommand)
export class ApproveDisbursementHandler implements ICommandHandler<ApproveDisbursementCommand, DisbursementState> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ disbursementId, comment, actor }: ApproveDisbursementCommand): Promise<DisbursementState> {
    const disbursement = await this.funding.changeDisbursement(disbursementId, 'shared', (account, d) =>
      approveDisbursement(account, d, actor, comment, new Date()),
    );
    return disbursement.toState();
  }
}
