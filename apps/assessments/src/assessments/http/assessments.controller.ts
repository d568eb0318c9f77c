import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#libs/contracts';
import { CurrentActor, Roles } from '#libs/auth';
import { UuidParam } from '#libs/common';
import { ChangeCadenceCommand } from '../commands/change-cadence.command.js';
import { RecordOutcomeCommand } from '../commands/record-outcome.command.js';
import { RescheduleAssessmentCommand } from '../commands/reschedule-assessment.command.js';
import { TriggerAssessmentCommand } from '../commands/trigger-assessment.command.js';
import { AssessmentRepository } from '../persistence/assessment.repository.js';
import {
  ChangeCadenceDto,
  ListAssessmentsQueryDto,
  RecordOutcomeDto,
  RescheduleAssessmentDto,
  TriggerAssessmentDto,
} from './assessment.dto.js';

@ApiTags('assessments')
@ApiBearerAuth()
@Controller('assessments')
export class AssessmentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly assessments: AssessmentRepository,
  ) {}

  @Get()
  list(@Query() query: ListAssessmentsQueryDto) {
    return this.assessments.list(query);
  }

  @Get('plans/:programId')
  plan(@Param('programId', UuidParam('programId')) programId: string) {
    return this.assessments.planView(programId);
  }

  @Put('plans/:programId')
  @Roles('scheduler')
  changeCadence(@Param('programId', UuidParam('programId')) programId: string, @Body() body: ChangeCadenceDto) {
    return this.commands.execute(new ChangeCadenceCommand(programId, body.cadenceDays));
  }

  @Post()
  @Roles('scheduler')
  trigger(@Body() body: TriggerAssessmentDto) {
    return this.commands.execute(new TriggerAssessmentCommand(body.programId, body.reason));
  }

  @Get(':id')
  get(@Param('id', UuidParam()) id: string) {
    return this.assessments.getPoint(id);
  }

  @Post(':id/reschedule')
  @HttpCode(200)
  @Roles('scheduler')
  reschedule(@Param('id', UuidParam()) id: string, @Body() body: RescheduleAssessmentDto) {
    return this.commands.execute(new RescheduleAssessmentCommand(id, new Date(body.dueAt), body.reason));
  }

  @Post(':id/outcome')
  @HttpCode(200)
  @Roles('reviewer')
  outcome(@Param('id', UuidParam()) id: string, @Body() body: RecordOutcomeDto, @CurrentActor() actor: Actor) {
    const { outcome, narrative, indicatorResults, requiredActions } = body;
    return this.commands.execute(
      new RecordOutcomeCommand(id, outcome, narrative, indicatorResults, requiredActions, actor),
    );
  }
}
