import type { ServiceDefinition } from '#libs/platform';
import { AssessmentsModule } from './assessments/assessments.module.js';
import { AssessmentPlanEntity } from './assessments/persistence/assessment-plan.entity.js';
import { AssessmentPointEntity } from './assessments/persistence/assessment-point.entity.js';
import { Assessments1764300000300 } from './migrations/1764300000300-assessments.js';
import { PlanProgramParties1764300000310 } from './migrations/1764300000310-plan-program-parties.js';
import { ScheduledPointsIndex1764300000320 } from './migrations/1764300000320-scheduled-points-index.js';
import { PlanSpanStart1764300000330 } from './migrations/1764300000330-plan-span-start.js';

export const assessmentsService: ServiceDefinition = {
  name: 'assessments',
  title: 'Cuentas assessments',
  description:
    'Assessment points of approved programs on durable timers: due, overdue, and the outcomes that ' +
    'continue, strengthen, adjust or discontinue a program.',
  features: [AssessmentsModule],
  entities: [AssessmentPlanEntity, AssessmentPointEntity],
  migrations: [Assessments1764300000300, PlanProgramParties1764300000310, ScheduledPointsIndex1764300000320, PlanSpanStart1764300000330],
};
