import type { Actor } from '#libs/contracts';
import type { ProgramInput } from '../domain/program-input.js';

export class CreateProgramCommand {
  constructor(
    readonly input: ProgramInput,
    readonly actor: Actor,
  ) {}
}
