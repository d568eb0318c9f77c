import type { Actor } from '#libs/contracts';

export class ApproveDisbursementCommand {
  constructor(
    readonly disbursementId: string,
    readonly comment: string | null,
    readonly actor: Actor,
  ) {}
}
