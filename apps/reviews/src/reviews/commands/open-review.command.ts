import type { ProgramSnapshot } from '#libs/contracts';

/** From `program.submitted`: one review per submission round, from the submitted snapshot. */
export class OpenReviewCommand {
  constructor(
    readonly program: ProgramSnapshot,
    readonly round: number,
  ) {}
}
