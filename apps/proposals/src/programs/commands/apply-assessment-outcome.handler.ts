import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { programCommandAllowed } from '../domain/program.aggregate.js';
import { ProgramRepository } from '../persistence/program.repository.js';
import { ApplyAssessmentOutcomeCommand } from './apply-assessment-outcome.command.js';

@CommandHandler(ApplyAssessmentOutcomeCommand)
export class ApplyAssessmentOutcomeHandler implements ICommandHandler<ApplyAssessmentOutcomeCommand, void> {
  constructor(private readonly programs: ProgramRepository) {}

  async execute({ programId, assessmentId, outcome, narrative, decidedBy }: ApplyAssessmentOutcomeCommand): Promise<void> {
    // CONTINUE, STRENGTHEN and ADJUST act on funding and scheduling, not on the program's status.
    if (outcome !== 'DISCONTINUE') return;
    await this.programs.change(programId, (p) => {
      // A program no longer running (closed, or discontinued by an earlier outcome) stays as it is.
      if (!programCommandAllowed('discontinue', p.status)) return;
      const why = narrative.trim() || 'no narrative given';
      p.discontinue(`Assessment ${assessmentId} outcome DISCONTINUE: ${why}`, assessmentId, decidedBy, new Date());
    });
  }
}
