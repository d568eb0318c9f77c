import type { PersonRef } from '#libs/core';
import type { AssessmentOutcome } from '#libs/contracts';

/** From `assessment.completed`: only DISCONTINUE concerns proposals. */
export class ApplyAssessmentOutcomeCommand {
  constructor(
    readonly programId: string,
    readonly assessmentId: string,
    readonly outcome: AssessmentOutcome,
    readonly narrative: string,
    /** The reviewer who recorded the outcome (the event's actor). */
    readonly decidedBy: PersonRef,
  ) {}
}
