import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#libs/contracts';
import { CurrentActor, Roles } from '#libs/auth';
import { UuidParam } from '#libs/common';
import { CreateProgramCommand } from '../commands/create-program.command.js';
import { SubmitProgramCommand } from '../commands/submit-program.command.js';
import { ProgramRepository } from '../persistence/program.repository.js';
import { CreateProgramDto, ListProgramsQueryDto } from './program.dto.js';

@ApiTags('programs')
@ApiBearerAuth()
@Controller('programs')
export class ProgramsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly programs: ProgramRepository,
  ) {}

  @Post()
  @Roles('grant_manager')
  create(@Body() body: CreateProgramDto, @CurrentActor() actor: Actor) {
    return this.commands.execute(new CreateProgramCommand(body, actor));
  }

  @Get()
  list(@Query() query: ListProgramsQueryDto) {
    return this.programs.list(query);
  }

  @Get(':id')
  get(@Param('id', UuidParam()) id: string) {
    return this.programs.get(id);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Roles('grant_manager')
  submit(@Param('id', UuidParam()) id: string, @CurrentActor() actor: Actor) {
    return this.commands.execute(new SubmitProgramCommand(id, actor));
  }
}
