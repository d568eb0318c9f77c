import type { Actor } from '#libs/contracts';

export class SubmitProgramCommand {
  constructor(
    readonly programId: string,
    readonly actor: Actor,
  ) {}
}
