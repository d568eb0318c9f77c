import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ProgramState } from '../domain/program.aggregate.js';
import { ProgramRepository } from '../persistence/program.repository.js';
import { ChangeProgramStatusCommand } from './change-program-status.command.js';

@CommandHandler(ChangeProgramStatusCommand)
export class ChangeProgramStatusHandler implements ICommandHandler<ChangeProgramStatusCommand, ProgramState> {
  constructor(private readonly programs: ProgramRepository) {}

  async execute({ programId, action, reason, actor }: ChangeProgramStatusCommand): Promise<ProgramState> {
    const program = await this.programs.change(programId, (p) => p[action](reason, actor, new Date()));
    return program.toState();
  }
}
