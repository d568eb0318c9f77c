/** The restricted list gained or lost this party: undecided reviews of a matching partner are checked again. */
export class RescreenReviewsCommand {
  constructor(readonly party: { id: string; name: string; registrationId: string | null }) {}
}
