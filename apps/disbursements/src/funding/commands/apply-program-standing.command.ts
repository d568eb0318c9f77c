/** From `program.suspended` / `program.reinstated`, with the program's version to order them. */
export class ApplyProgramStandingCommand {
  constructor(
    readonly programId: string,
    readonly suspended: boolean,
    readonly programVersion: number,
  ) {}
}
