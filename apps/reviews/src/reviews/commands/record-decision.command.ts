import type { Actor, ReviewDecision } from '#libs/contracts';

export class RecordDecisionCommand {
  constructor(
    readonly reviewId: string,
    readonly decision: ReviewDecision,
    readonly rationale: string,
    readonly actor: Actor,
  ) {}
}
