/** From `program.discontinued` / `program.closed`: the program's open points are cancelled and its plan closed. */
export class ClosePlanCommand {
  constructor(
    readonly programId: string,
    readonly reason: string,
  ) {}
}
