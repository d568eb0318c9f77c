import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { TransactionRunner } from '#libs/persistence';
import { AssessmentPlan } from '../domain/assessment-plan.js';
import { AssessmentPointAggregate } from '../domain/assessment-point.aggregate.js';
import { AssessmentRepository } from '../persistence/assessment.repository.js';
import { MakePlanCommand } from './make-plan.command.js';

@CommandHandler(MakePlanCommand)
export class MakePlanHandler implements ICommandHandler<MakePlanCommand, void> {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly tx: TransactionRunner,
    private readonly assessments: AssessmentRepository,
  ) {}

  async execute({ approved, approvedAt }: MakePlanCommand): Promise<void> {
    const { dayMs, assessmentGraceDays: graceDays } = this.config;
    const { plan, points } = AssessmentPlan.create(
      {
        programId: approved.programId,
        approvedAt,
        startDate: approved.startDate,
        endDate: approved.endDate,
        cadenceDays: approved.assessmentCadenceDays,
        graceDays,
      },
      dayMs,
    );
    const now = new Date();
    await this.tx.run(async (em) => {
      // The plan row is the program's claim: whoever inserts it second (even concurrently) stops here.
      const facts = { indicators: approved.indicators, createdBy: approved.createdBy, partnerName: approved.partnerName };
      if (!(await this.assessments.addPlan(em, plan, facts))) return;
      await this.assessments.addPoints(
        em,
        points.map(({ sequence, dueAt }) =>
          AssessmentPointAggregate.schedule({ id: uuidv7(), programId: plan.programId, kind: 'PLANNED', sequence, dueAt }, plan.graceDays, dayMs, now),
        ),
      );
    });
  }
}
