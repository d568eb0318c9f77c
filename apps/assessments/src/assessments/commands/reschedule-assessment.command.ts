/** POST /assessments/:id/reschedule: a SCHEDULED point moves to a later date. */
export class RescheduleAssessmentCommand {
  constructor(
    readonly id: string,
    readonly dueAt: Date,
    readonly reason: string,
  ) {}
}
