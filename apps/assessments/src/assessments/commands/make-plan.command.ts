import type { EventPayloads } from '#libs/contracts';

/** From `program.approved`: lay out the program's assessment points, counted from the approval. */
export class MakePlanCommand {
  constructor(
    readonly approved: EventPayloads['program.approved'],
    readonly approvedAt: Date,
  ) {}
}
