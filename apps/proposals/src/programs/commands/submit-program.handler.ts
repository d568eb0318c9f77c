import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ProgramState } from '../domain/program.aggregate.js';
import { ProgramRepository } from '../persistence/program.repository.js';
import { SubmitProgramCommand } from './submit-program.command.js';

@CommandHandler(SubmitProgramCommand)
export class SubmitProgramHandler implements ICommandHandler<SubmitProgramCommand, ProgramState> {
  constructor(private readonly programs: ProgramRepository) {}

  async execute({ programId, actor }: SubmitProgramCommand): Promise<ProgramState> {
    const program = await this.programs.change(programId, (p) => p.submit(actor, new Date()));
    return program.toState();
  }
}
