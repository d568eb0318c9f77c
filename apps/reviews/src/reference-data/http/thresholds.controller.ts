import { Body, Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import { THRESHOLD_NAMES, type Actor, type ThresholdName } from '#libs/contracts';
import { CurrentActor, Roles } from '#libs/auth';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { SetThresholdCommand } from '../commands/set-threshold.command.js';
import { ReferenceDataRepository, thresholdDefaults } from '../persistence/reference-data.repository.js';
import { ThresholdDto, ThresholdParam } from './reference-data.dto.js';

/**
 * The thresholds admin keeps (DOMAIN.md), readable by every role so that people can see why a
 * review needs two reviewers or a disbursement two approvers. A change applies to reviews opened
 * and disbursements requested after it.
 */
@ApiTags('thresholds')
@ApiBearerAuth()
@Controller('thresholds')
export class ThresholdsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly referenceData: ReferenceDataRepository,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Get()
  async list() {
    return { items: await this.referenceData.thresholds(thresholdDefaults(this.config)), nextCursor: null };
  }

  @Get(':name')
  @ApiParam({ name: 'name', enum: THRESHOLD_NAMES })
  async get(@Param('name', ThresholdParam()) name: ThresholdName) {
    return (await this.referenceData.thresholds(thresholdDefaults(this.config))).find((t) => t.name === name);
  }

  @Put(':name')
  @Roles('admin')
  @ApiParam({ name: 'name', enum: THRESHOLD_NAMES })
  set(@Param('name', ThresholdParam()) name: ThresholdName, @Body() body: ThresholdDto, @CurrentActor() actor: Actor) {
    return this.commands.execute(new SetThresholdCommand(name, body.amountCents, actor, body.expectedVersion));
  }
}
