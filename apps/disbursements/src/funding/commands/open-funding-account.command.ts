/** From `program.approved`: the program's money becomes available for requests. */
export class OpenFundingAccountCommand {
  constructor(
    readonly programId: string,
    readonly budgetCents: number,
    /** Whom it pays, screened against the restricted parties listed since (registration id absent in older events). */
    readonly partner: { name: string; registrationId: string | null },
  ) {}
}
