/** From `program.approved`: the program's money becomes available for requests. */
export class OpenFundingAccountCommand {
  constructor(
    readonly programId: string,
    readonly budgetCents: number,
  ) {}
}
