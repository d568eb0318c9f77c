/** From `program.discontinued` / `program.closed`: pending requests end and the account closes. */
export class CloseFundingAccountCommand {
  constructor(
    readonly programId: string,
    readonly reason: string,
  ) {}
}
