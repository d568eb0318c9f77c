import type { Actor } from '#libs/contracts';

export class CancelDisbursementCommand {
  constructor(
    readonly disbursementId: string,
    readonly reason: string,
    readonly actor: Actor,
  ) {}
}
