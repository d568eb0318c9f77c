import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#libs/contracts';
import { CurrentActor, Roles } from '#libs/auth';
import { UuidParam } from '#libs/common';
import { partnerKeysOf } from '#libs/core';
import { AddRestrictedPartyCommand } from '../commands/add-restricted-party.command.js';
import { RemoveRestrictedPartyCommand } from '../commands/remove-restricted-party.command.js';
import { ReferenceDataRepository } from '../persistence/reference-data.repository.js';
import { CreateRestrictedPartyDto, ListRestrictedPartiesQueryDto, RemoveRestrictedPartyDto } from './reference-data.dto.js';

@ApiTags('restricted-parties')
@ApiBearerAuth()
@Controller('restricted-parties')
export class RestrictedPartiesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly referenceData: ReferenceDataRepository,
  ) {}

  /** The parties currently on the list, by name; with includeRemoved=true, also those taken off it. */
  @Get()
  @Roles('admin', 'reviewer', 'auditor')
  list(@Query() { includeRemoved, q, ...page }: ListRestrictedPartiesQueryDto) {
    return this.referenceData.listRestrictedParties({ ...page, includeRemoved: includeRemoved === 'true', search: q === undefined ? null : partnerKeysOf(q, q) });
  }

  @Post()
  @Roles('admin')
  add(@Body() body: CreateRestrictedPartyDto, @CurrentActor() actor: Actor) {
    const party = { name: body.name, registrationId: body.registrationId ?? null, reason: body.reason, source: body.source };
    return this.commands.execute(new AddRestrictedPartyCommand(party, actor));
  }

  /** Takes the party off the list; the row stays with who removed it, when and (if given) why. */
  @Delete(':id')
  @Roles('admin')
  remove(@Param('id', UuidParam()) id: string, @Body() body: RemoveRestrictedPartyDto, @CurrentActor() actor: Actor) {
    return this.commands.execute(new RemoveRestrictedPartyCommand(id, actor, body.reason ?? null));
  }
}
