/** From `program.withdrawn`: the program's open review, if any, is cancelled. */
export class CancelProgramReviewCommand {
  constructor(
    readonly programId: string,
    readonly reason: string,
  ) {}
}
