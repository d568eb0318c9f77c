import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { InvalidTransitionError } from '#libs/core';
import { TransactionRunner } from '#libs/persistence';
import { AssessmentPointAggregate, type AssessmentPointState } from '../domain/assessment-point.aggregate.js';
import { AssessmentRepository } from '../persistence/assessment.repository.js';
import { TriggerAssessmentCommand } from './trigger-assessment.command.js';

@CommandHandler(TriggerAssessmentCommand)
export class TriggerAssessmentHandler implements ICommandHandler<TriggerAssessmentCommand, AssessmentPointState> {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly tx: TransactionRunner,
    private readonly assessments: AssessmentRepository,
  ) {}

  async execute({ programId, reason }: TriggerAssessmentCommand): Promise<AssessmentPointState> {
    return this.tx.run(async (em) => {
      const { plan } = await this.assessments.mustLockPlan(em, programId);
      if (plan.status !== 'ACTIVE') throw new InvalidTransitionError('assessment plan', plan.status, 'trigger an assessment');
      const now = new Date();
      const input = { id: uuidv7(), programId, kind: 'AD_HOC' as const, reason, dueAt: now };
      const point = AssessmentPointAggregate.schedule(input, plan.graceDays, this.config.dayMs, now);
      await this.assessments.addPoints(em, [point]);
      return point.toState();
    });
  }
}
