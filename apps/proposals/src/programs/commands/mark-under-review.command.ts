/** From `review.opened`: the accountability review of this submission round has started. */
export class MarkUnderReviewCommand {
  constructor(
    readonly programId: string,
    readonly reviewId: string,
    readonly round: number,
  ) {}
}
