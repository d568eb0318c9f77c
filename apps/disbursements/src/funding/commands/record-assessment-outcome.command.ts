import type { AssessmentOutcome } from '#libs/contracts';

/** From `assessment.completed`: the outcome lifts or places the assessment holds. */
export class RecordAssessmentOutcomeCommand {
  constructor(
    readonly programId: string,
    readonly assessmentId: string,
    readonly outcome: AssessmentOutcome,
    readonly followUpId: string | null,
  ) {}
}
