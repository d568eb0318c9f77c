import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { TransactionRunner } from '#libs/persistence';
import { AssessmentPointAggregate } from '../domain/assessment-point.aggregate.js';
import { AssessmentRepository, type PlanView } from '../persistence/assessment.repository.js';
import { ChangeCadenceCommand } from './change-cadence.command.js';

@CommandHandler(ChangeCadenceCommand)
export class ChangeCadenceHandler implements ICommandHandler<ChangeCadenceCommand, PlanView> {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly tx: TransactionRunner,
    private readonly assessments: AssessmentRepository,
  ) {}

  async execute({ programId, cadenceDays }: ChangeCadenceCommand): Promise<PlanView> {
    const { dayMs } = this.config;
    return this.tx.run(async (em) => {
      const { plan } = await this.assessments.mustLockPlan(em, programId);
      const locked = await this.assessments.lockPointsOf(em, programId);
      const now = new Date();
      const byPoint = new Map(locked.map((l) => [l.point, l]));
      const previousCadenceDays = plan.cadenceDays;
      const replan = plan.changeCadence(cadenceDays, [...byPoint.keys()], now, dayMs);
      await this.assessments.savePlan(em, plan);
      if (cadenceDays !== previousCadenceDays) await this.assessments.recordCadenceChange(em, plan, previousCadenceDays);
      for (const point of replan.cancel) {
        point.cancel(`cadence changed to ${cadenceDays} days`, now);
        await this.assessments.savePoint(em, byPoint.get(point)!);
      }
      await this.assessments.addPoints(
        em,
        replan.create.map(({ sequence, dueAt }) =>
          AssessmentPointAggregate.schedule({ id: uuidv7(), programId, kind: 'PLANNED', sequence, dueAt }, plan.graceDays, dayMs, now),
        ),
      );
      return this.assessments.planView(programId, em);
    });
  }
}
