import { Module } from '@nestjs/common';
import { ApplyAssessmentOutcomeHandler } from './commands/apply-assessment-outcome.handler.js';
import { ChangeProgramStatusHandler } from './commands/change-program-status.handler.js';
import { CompleteReviewHandler } from './commands/complete-review.handler.js';
import { CreateProgramHandler } from './commands/create-program.handler.js';
import { MarkUnderReviewHandler } from './commands/mark-under-review.handler.js';
import { ReviseProgramHandler } from './commands/revise-program.handler.js';
import { SubmitProgramHandler } from './commands/submit-program.handler.js';
import { ProposalsEventsProcessor } from './events/proposals-events.processor.js';
import { ProgramsController } from './http/programs.controller.js';
import { ProgramRepository } from './persistence/program.repository.js';

@Module({
  controllers: [ProgramsController],
  providers: [
    ProgramRepository,
    CreateProgramHandler,
    ReviseProgramHandler,
    SubmitProgramHandler,
    ChangeProgramStatusHandler,
    MarkUnderReviewHandler,
    CompleteReviewHandler,
    ApplyAssessmentOutcomeHandler,
    ProposalsEventsProcessor,
  ],
})
export class ProgramsModule {}
