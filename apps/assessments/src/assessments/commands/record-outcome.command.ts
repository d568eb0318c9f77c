import type { Actor, AssessmentOutcome, IndicatorResult } from '#libs/contracts';

/** POST /assessments/:id/outcome: a reviewer's outcome of a DUE or OVERDUE point. */
export class RecordOutcomeCommand {
  constructor(
    readonly id: string,
    readonly outcome: AssessmentOutcome,
    readonly narrative: string,
    readonly indicatorResults: IndicatorResult[],
    readonly requiredActions: string[] | undefined,
    readonly actor: Actor,
  ) {}
}
