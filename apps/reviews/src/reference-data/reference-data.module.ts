import { Module } from '@nestjs/common';
import { AddRestrictedPartyHandler } from './commands/add-restricted-party.handler.js';
import { RemoveRestrictedPartyHandler } from './commands/remove-restricted-party.handler.js';
import { SetPriorityAreasHandler } from './commands/set-priority-areas.handler.js';
import { SetThresholdHandler } from './commands/set-threshold.handler.js';
import { PriorityAreasController } from './http/priority-areas.controller.js';
import { RestrictedPartiesController } from './http/restricted-parties.controller.js';
import { ThresholdsController } from './http/thresholds.controller.js';
import { ReferenceDataRepository } from './persistence/reference-data.repository.js';

@Module({
  controllers: [RestrictedPartiesController, PriorityAreasController, ThresholdsController],
  providers: [ReferenceDataRepository, AddRestrictedPartyHandler, RemoveRestrictedPartyHandler, SetPriorityAreasHandler, SetThresholdHandler],
  exports: [ReferenceDataRepository],
})
export class ReferenceDataModule {}
