import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import { COUNTRIES, type Actor, type Country } from '#libs/contracts';
import { CurrentActor, Roles } from '#libs/auth';
import { SetPriorityAreasCommand } from '../commands/set-priority-areas.command.js';
import { ReferenceDataRepository } from '../persistence/reference-data.repository.js';
import { CountryParam, PriorityAreasDto } from './reference-data.dto.js';

@ApiTags('priority-areas')
@ApiBearerAuth()
@Controller('priority-areas')
export class PriorityAreasController {
  constructor(
    private readonly commands: CommandBus,
    private readonly referenceData: ReferenceDataRepository,
  ) {}

  @Get(':country')
  @ApiParam({ name: 'country', enum: COUNTRIES })
  get(@Param('country', CountryParam()) country: Country) {
    return this.referenceData.priorityAreasOf(country);
  }

  /** Replaces the country's list (if still at `expectedVersion`, when given); reviews opened from now on check targeting against it. */
  @Put(':country')
  @Roles('admin')
  @ApiParam({ name: 'country', enum: COUNTRIES })
  set(@Param('country', CountryParam()) country: Country, @Body() body: PriorityAreasDto, @CurrentActor() actor: Actor) {
    return this.commands.execute(new SetPriorityAreasCommand(country, body.areas, actor, body.expectedVersion));
  }
}
