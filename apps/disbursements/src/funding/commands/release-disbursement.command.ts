import type { Actor } from '#libs/contracts';

export class ReleaseDisbursementCommand {
  constructor(
    readonly disbursementId: string,
    readonly paymentReference: string,
    readonly actor: Actor,
  ) {}
}
