import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ProgramState } from '../domain/program.aggregate.js';
import { ProgramRepository } from '../persistence/program.repository.js';
import { ReviseProgramCommand } from './revise-program.command.js';

@CommandHandler(ReviseProgramCommand)
export class ReviseProgramHandler implements ICommandHandler<ReviseProgramCommand, ProgramState> {
  constructor(private readonly programs: ProgramRepository) {}

  async execute({ programId, changes, expectedVersion, actor }: ReviseProgramCommand): Promise<ProgramState> {
    const program = await this.programs.change(programId, (p) => p.revise(changes, expectedVersion, actor, new Date()));
    return program.toState();
  }
}
