import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { FundingRepository } from '../persistence/funding.repository.js';
import { ApplyThresholdCommand } from './apply-threshold.command.js';

@CommandHandler(ApplyThresholdCommand)
export class ApplyThresholdHandler implements ICommandHandler<ApplyThresholdCommand, void> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ name, amountCents, version }: ApplyThresholdCommand): Promise<void> {
    await this.funding.applyThreshold(name, amountCents, version, new Date());
  }
}
