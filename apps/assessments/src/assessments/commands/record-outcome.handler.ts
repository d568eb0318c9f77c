import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { TransactionRunner } from '#libs/persistence';
import { AssessmentPointAggregate, type AssessmentPointState } from '../domain/assessment-point.aggregate.js';
import { assertNoConflictOfInterest } from '../domain/outcome-conflicts.js';
import { effectsOf } from '../domain/outcome-effects.js';
import { AssessmentRepository } from '../persistence/assessment.repository.js';
import { ProgramEnding } from './program-ending.js';
import { RecordOutcomeCommand } from './record-outcome.command.js';

/**
 * Records the outcome and carries out what it means for the assessments themselves: ADJUST
 * schedules a follow-up, DISCONTINUE ends the program's assessments at once (proposals ends the
 * program and disbursements its funding on assessment.completed; their program.discontinued
 * then finds nothing left to cancel here).
 */
@CommandHandler(RecordOutcomeCommand)
export class RecordOutcomeHandler implements ICommandHandler<RecordOutcomeCommand, AssessmentPointState> {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly tx: TransactionRunner,
    private readonly assessments: AssessmentRepository,
    private readonly ending: ProgramEnding,
  ) {}

  async execute(c: RecordOutcomeCommand): Promise<AssessmentPointState> {
    const { dayMs } = this.config;
    return this.tx.run(async (em) => {
      const locked = await this.assessments.lockPointAndPlan(em, c.id);
      const { point } = locked;
      assertNoConflictOfInterest(c.actor, { programId: point.programId, createdBy: locked.createdBy, partnerName: locked.partnerName });
      const now = new Date();
      const input = {
        outcome: c.outcome,
        narrative: c.narrative,
        indicatorResults: c.indicatorResults,
        requiredActions: c.requiredActions,
        by: c.actor.id,
      };
      const effects = effectsOf(c.outcome, point, now, dayMs);
      // The completion names its follow-up, so the hold it places can be lifted in any delivery order.
      const followUpId = effects.followUp ? uuidv7() : null;
      point.recordOutcome({ ...input, followUpId }, locked.indicators, now);
      await this.assessments.savePoint(em, locked);

      if (effects.followUp && followUpId) {
        const input = { id: followUpId, ...effects.followUp };
        await this.assessments.addPoints(em, [AssessmentPointAggregate.schedule(input, locked.plan.graceDays, dayMs, now)]);
      }
      if (effects.cancelOpenPoints) await this.ending.end(em, locked.plan, effects.cancelOpenPoints.reason, now);
      return point.toState();
    });
  }
}
