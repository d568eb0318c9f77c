import type { Actor } from '#libs/contracts';

export class RequestDisbursementCommand {
  constructor(
    readonly programId: string,
    readonly amountCents: number,
    readonly purpose: string,
    readonly idempotencyKey: string | null,
    readonly actor: Actor,
  ) {}
}
