import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { InvalidTransitionError } from '#libs/core';
import { TransactionRunner } from '#libs/persistence';
import type { AssessmentPlan } from '../domain/assessment-plan.js';
import { AssessmentPointAggregate, type AssessmentPointState } from '../domain/assessment-point.aggregate.js';
import { AssessmentRepository } from '../persistence/assessment.repository.js';
import { TriggerAssessmentCommand } from './trigger-assessment.command.js';

/**
 * Adds an ad hoc point to an active plan: uncontended in two round trips (the plan read, then the
 * point written only if the plan is unchanged); if the plan changed meanwhile, under its lock.
 */
@CommandHandler(TriggerAssessmentCommand)
export class TriggerAssessmentHandler implements ICommandHandler<TriggerAssessmentCommand, AssessmentPointState> {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly tx: TransactionRunner,
    private readonly assessments: AssessmentRepository,
  ) {}

  async execute(command: TriggerAssessmentCommand): Promise<AssessmentPointState> {
    const { plan } = await this.assessments.readPlan(this.tx.manager, command.programId);
    const point = this.adHocPoint(plan, command);
    if (await this.assessments.saveIfUnchanged(this.tx.manager, { plan }, [], [point])) return point.toState();
    return this.tx.run(async (em) => {
      const { plan } = await this.assessments.mustLockPlan(em, command.programId);
      const point = this.adHocPoint(plan, command);
      await this.assessments.addPoints(em, [point]);
      return point.toState();
    });
  }

  private adHocPoint(plan: AssessmentPlan, { programId, reason }: TriggerAssessmentCommand): AssessmentPointAggregate {
    if (plan.status !== 'ACTIVE') throw new InvalidTransitionError('assessment plan', plan.status, 'trigger an assessment');
    const now = new Date();
    const input = { id: uuidv7(), programId, kind: 'AD_HOC' as const, reason, dueAt: now };
    return AssessmentPointAggregate.schedule(input, plan.graceDays, this.config.dayMs, now);
  }
}
