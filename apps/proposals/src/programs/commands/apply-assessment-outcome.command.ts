import type { AssessmentOutcome } from '#libs/contracts';

/** From `assessment.completed`: only DISCONTINUE concerns proposals. */
export class ApplyAssessmentOutcomeCommand {
  constructor(
    readonly programId: string,
    readonly assessmentId: string,
    readonly outcome: AssessmentOutcome,
    readonly narrative: string,
  ) {}
}
