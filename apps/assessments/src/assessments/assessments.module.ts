import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ChangeCadenceHandler } from './commands/change-cadence.handler.js';
import { ClosePlanHandler } from './commands/close-plan.handler.js';
import { FireTimerHandler } from './commands/fire-timer.handler.js';
import { MakePlanHandler } from './commands/make-plan.handler.js';
import { ProgramEnding } from './commands/program-ending.js';
import { RecordOutcomeHandler } from './commands/record-outcome.handler.js';
import { RescheduleAssessmentHandler } from './commands/reschedule-assessment.handler.js';
import { TriggerAssessmentHandler } from './commands/trigger-assessment.handler.js';
import { AssessmentsEventsProcessor } from './events/assessments-events.processor.js';
import { AssessmentsController } from './http/assessments.controller.js';
import { AssessmentRepository } from './persistence/assessment.repository.js';
import { ASSESSMENT_TIMERS_QUEUE, AssessmentTimers } from './timers/assessment-timers.js';
import { AssessmentTimersProcessor } from './timers/assessment-timers.processor.js';
import { TimerSweep } from './timers/timer-sweep.js';

@Module({
  // The timers' worker; its connection and prefix come from the messaging module's BullModule.forRoot.
  imports: [BullModule.registerQueue({ name: ASSESSMENT_TIMERS_QUEUE })],
  controllers: [AssessmentsController],
  providers: [
    AssessmentTimers,
    AssessmentRepository,
    ProgramEnding,
    MakePlanHandler,
    ClosePlanHandler,
    ChangeCadenceHandler,
    TriggerAssessmentHandler,
    RescheduleAssessmentHandler,
    RecordOutcomeHandler,
    FireTimerHandler,
    AssessmentsEventsProcessor,
    AssessmentTimersProcessor,
    TimerSweep,
  ],
})
export class AssessmentsModule {}
