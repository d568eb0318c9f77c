import type { PersonRef } from '#libs/core';
import type { ReviewOutcome } from '#libs/contracts';

/** From `review.completed`: the review's outcome moves the program. */
export class CompleteReviewCommand {
  constructor(
    readonly programId: string,
    readonly reviewId: string,
    readonly outcome: ReviewOutcome,
    readonly rationale: string,
    /** The reviewer whose decision completed the review (the event's actor). */
    readonly decidedBy: PersonRef,
  ) {}
}
