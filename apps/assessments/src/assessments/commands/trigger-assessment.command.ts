/** POST /assessments: an ad-hoc point of the program, due now. */
export class TriggerAssessmentCommand {
  constructor(
    readonly programId: string,
    readonly reason: string,
  ) {}
}
