import type { Actor } from '#libs/contracts';

export class RejectDisbursementCommand {
  constructor(
    readonly disbursementId: string,
    readonly reason: string,
    readonly actor: Actor,
  ) {}
}
