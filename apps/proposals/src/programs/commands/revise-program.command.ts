import type { Actor } from '#libs/contracts';
import type { ProgramInput } from '../domain/program-input.js';

export class ReviseProgramCommand {
  constructor(
    readonly programId: string,
    readonly changes: Partial<ProgramInput>,
    readonly expectedVersion: number,
    readonly actor: Actor,
  ) {}
}
