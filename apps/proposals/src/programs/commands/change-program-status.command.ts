import type { Actor } from '#libs/contracts';

/** The person-initiated transitions that only need a reason; the aggregate checks state and creator. */
export type ReasonedProgramAction = 'withdraw' | 'suspend' | 'reinstate' | 'close';

export class ChangeProgramStatusCommand {
  constructor(
    readonly programId: string,
    readonly action: ReasonedProgramAction,
    readonly reason: string,
    readonly actor: Actor,
  ) {}
}
