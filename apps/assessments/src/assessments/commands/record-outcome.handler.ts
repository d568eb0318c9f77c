import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { TransactionRunner } from '#libs/persistence';
import { AssessmentPointAggregate, type AssessmentPointState } from '../domain/assessment-point.aggregate.js';
import { assertNoConflictOfInterest } from '../domain/outcome-conflicts.js';
import { effectsOf, type AssessmentEffects } from '../domain/outcome-effects.js';
import { AssessmentRepository, type LoadedPlan, type LoadedPoint } from '../persistence/assessment.repository.js';
import { ProgramEnding } from './program-ending.js';
import { RecordOutcomeCommand } from './record-outcome.command.js';

/**
 * Records the outcome and carries out what it means for the assessments themselves: ADJUST
 * schedules a follow-up, DISCONTINUE ends the program's assessments at once (proposals ends the
 * program and disbursements its funding on assessment.completed; their program.discontinued
 * then finds nothing left to cancel here).
 *
 * CONTINUE and ADJUST change one point and may add one: uncontended in two round trips (point and
 * plan read, then written only if both are unchanged). DISCONTINUE, which changes every open point,
 * and a change that lost a race to another command run in a transaction under the plan's lock.
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
    return (await this.recordIfUnchanged(c)) ?? this.recordLocked(c);
  }

  private async recordIfUnchanged(c: RecordOutcomeCommand): Promise<AssessmentPointState | null> {
    const em = this.tx.manager;
    const loaded = await this.assessments.readPointAndPlan(em, c.id);
    const read = { plan: loaded.plan, point: { id: loaded.point.id, version: loaded.point.version } };
    const recorded = this.record(loaded, c, new Date());
    if (recorded.effects.cancelOpenPoints) return null;
    const saved = await this.assessments.saveIfUnchanged(em, read, [loaded], recorded.followUp ? [recorded.followUp] : []);
    return saved ? loaded.point.toState() : null;
  }

  private recordLocked(c: RecordOutcomeCommand): Promise<AssessmentPointState> {
    return this.tx.run(async (em) => {
      const locked = await this.assessments.lockPointAndPlan(em, c.id);
      const now = new Date();
      const { effects, followUp } = this.record(locked, c, now);
      await this.assessments.savePoint(em, locked);
      if (followUp) await this.assessments.addPoints(em, [followUp]);
      if (effects.cancelOpenPoints) await this.ending.end(em, locked.plan, effects.cancelOpenPoints.reason, now);
      return locked.point.toState();
    });
  }

  /** Records the outcome on the loaded point; returns what it means beyond the point, and the follow-up it schedules. */
  private record(loaded: LoadedPlan & LoadedPoint, c: RecordOutcomeCommand, now: Date): { effects: AssessmentEffects; followUp: AssessmentPointAggregate | null } {
    const { dayMs } = this.config;
    const { point } = loaded;
    assertNoConflictOfInterest(c.actor, { programId: point.programId, createdBy: loaded.createdBy, partnerName: loaded.partnerName });
    const input = {
      outcome: c.outcome,
      narrative: c.narrative,
      indicatorResults: c.indicatorResults,
      requiredActions: c.requiredActions,
      by: c.actor,
    };
    const effects = effectsOf(c.outcome, point, now, dayMs);
    // The completion names its follow-up, so the hold it places can be lifted in any delivery order.
    const followUpId = effects.followUp ? uuidv7() : null;
    point.recordOutcome({ ...input, followUpId }, loaded.indicators, now);
    const followUp = effects.followUp && followUpId
      ? AssessmentPointAggregate.schedule({ id: followUpId, ...effects.followUp }, loaded.plan.graceDays, dayMs, now)
      : null;
    return { effects, followUp };
  }
}
