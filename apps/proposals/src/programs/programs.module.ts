import { Module } from '@nestjs/common';
import { CompleteReviewHandler } from './commands/complete-review.handler.js';
import { CreateProgramHandler } from './commands/create-program.handler.js';
import { MarkUnderReviewHandler } from './commands/mark-under-review.handler.js';
import { SubmitProgramHandler } from './commands/submit-program.handler.js';
import { ProposalsEventsProcessor } from './events/proposals-events.processor.js';
import { ProgramsController } from './http/programs.controller.js';
import { ProgramRepository } from './persistence/program.repository.js';

@Module({
  controllers: [ProgramsController],
  providers: [
    ProgramRepository,
    CreateProgramHandler,
    SubmitProgramHandler,
    MarkUnderReviewHandler,
    CompleteReviewHandler,
    ProposalsEventsProcessor,
  ],
})
export class ProgramsModule {}
