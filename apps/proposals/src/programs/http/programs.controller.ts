import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#libs/contracts';
import { CurrentActor, Roles } from '#libs/auth';
import { EmptyBodyDto, UuidParam } from '#libs/common';
import { ChangeProgramStatusCommand, type ReasonedProgramAction } from '../commands/change-program-status.command.js';
import { CreateProgramCommand } from '../commands/create-program.command.js';
import { ReviseProgramCommand } from '../commands/revise-program.command.js';
import { SubmitProgramCommand } from '../commands/submit-program.command.js';
import type { ProgramState } from '../domain/program.aggregate.js';
import { ProgramRepository } from '../persistence/program.repository.js';
import { CreateProgramDto, ListProgramsQueryDto, ReasonDto, ReviseProgramDto } from './program.dto.js';

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

  /** Only the creator, only in DRAFT or REVISION_REQUESTED (checked by the aggregate). */
  @Patch(':id')
  @Roles('grant_manager')
  revise(@Param('id', UuidParam()) id: string, @Body() body: ReviseProgramDto, @CurrentActor() actor: Actor) {
    const { expectedVersion, ...changes } = body;
    return this.commands.execute(new ReviseProgramCommand(id, changes, expectedVersion, actor));
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Roles('grant_manager')
  submit(@Param('id', UuidParam()) id: string, @Body() _body: EmptyBodyDto, @CurrentActor() actor: Actor) {
    return this.commands.execute(new SubmitProgramCommand(id, actor));
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @Roles('grant_manager')
  withdraw(@Param('id', UuidParam()) id: string, @Body() body: ReasonDto, @CurrentActor() actor: Actor) {
    return this.changeStatus(id, 'withdraw', body, actor);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @Roles('reviewer')
  suspend(@Param('id', UuidParam()) id: string, @Body() body: ReasonDto, @CurrentActor() actor: Actor) {
    return this.changeStatus(id, 'suspend', body, actor);
  }

  @Post(':id/reinstate')
  @HttpCode(200)
  @Roles('reviewer')
  reinstate(@Param('id', UuidParam()) id: string, @Body() body: ReasonDto, @CurrentActor() actor: Actor) {
    return this.changeStatus(id, 'reinstate', body, actor);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles('grant_manager')
  close(@Param('id', UuidParam()) id: string, @Body() body: ReasonDto, @CurrentActor() actor: Actor) {
    return this.changeStatus(id, 'close', body, actor);
  }

  private changeStatus(id: string, action: ReasonedProgramAction, { reason }: ReasonDto, actor: Actor): Promise<ProgramState> {
    return this.commands.execute(new ChangeProgramStatusCommand(id, action, reason, actor));
  }
}
