import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { ReferenceDataRepository, thresholdDefaults, type Threshold } from '../persistence/reference-data.repository.js';
import { SetThresholdCommand } from './set-threshold.command.js';

@CommandHandler(SetThresholdCommand)
export class SetThresholdHandler implements ICommandHandler<SetThresholdCommand, Threshold> {
  constructor(
    private readonly referenceData: ReferenceDataRepository,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  execute({ name, amountCents, actor, expectedVersion }: SetThresholdCommand): Promise<Threshold> {
    return this.referenceData.setThreshold(name, amountCents, actor.id, new Date(), thresholdDefaults(this.config)[name], expectedVersion);
  }
}
