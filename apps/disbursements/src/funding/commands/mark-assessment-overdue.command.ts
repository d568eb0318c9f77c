/** From `assessment.overdue`: the point's outcome is late, so the program's money waits. */
export class MarkAssessmentOverdueCommand {
  constructor(
    readonly programId: string,
    readonly assessmentId: string,
  ) {}
}
