import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { FundingAccountAggregate } from '../domain/funding-account.aggregate.js';
import { FundingRepository } from '../persistence/funding.repository.js';
import { OpenFundingAccountCommand } from './open-funding-account.command.js';

@CommandHandler(OpenFundingAccountCommand)
export class OpenFundingAccountHandler implements ICommandHandler<OpenFundingAccountCommand, void> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ programId, budgetCents }: OpenFundingAccountCommand): Promise<void> {
    await this.funding.open(FundingAccountAggregate.open(programId, budgetCents, new Date()));
  }
}
