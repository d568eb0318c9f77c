import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AssessmentPlan } from '../domain/assessment-plan.js';
import { AssessmentRepository } from '../persistence/assessment.repository.js';

/**
 * The end of a program's assessments, shared by a DISCONTINUE outcome and by the program's own
 * end (discontinued, closed): the plan closes and every open point is cancelled (with its
 * timers). Doing it twice changes nothing. The caller holds the plan's lock.
 */
@Injectable()
export class ProgramEnding {
  constructor(private readonly assessments: AssessmentRepository) {}

  async end(em: EntityManager, plan: AssessmentPlan, reason: string, now: Date): Promise<void> {
    if (plan.close(now)) await this.assessments.savePlan(em, plan);
    for (const locked of await this.assessments.lockPointsOf(em, plan.programId)) {
      if (locked.point.cancel(reason, now)) await this.assessments.savePoint(em, locked);
    }
  }
}
