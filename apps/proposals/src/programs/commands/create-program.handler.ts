import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { ProgramAggregate, type ProgramState } from '../domain/program.aggregate.js';
import { ProgramRepository } from '../persistence/program.repository.js';
import { CreateProgramCommand } from './create-program.command.js';

@CommandHandler(CreateProgramCommand)
export class CreateProgramHandler implements ICommandHandler<CreateProgramCommand, ProgramState> {
  constructor(private readonly programs: ProgramRepository) {}

  async execute({ input, actor }: CreateProgramCommand): Promise<ProgramState> {
    const program = ProgramAggregate.draft(input, actor, uuidv7(), new Date());
    return (await this.programs.add(program)).toState();
  }
}
