import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ValidationError } from '#libs/core';
import { foldText } from '#libs/core';
import { ReferenceDataRepository, type PriorityAreas } from '../persistence/reference-data.repository.js';
import { SetPriorityAreasCommand } from './set-priority-areas.command.js';

@CommandHandler(SetPriorityAreasCommand)
export class SetPriorityAreasHandler implements ICommandHandler<SetPriorityAreasCommand, PriorityAreas> {
  constructor(private readonly referenceData: ReferenceDataRepository) {}

  execute({ country, areas, actor, expectedVersion }: SetPriorityAreasCommand): Promise<PriorityAreas> {
    const trimmed = areas.map((a) => a.trim());
    // The targeting check compares folded names, so "Quiché" and "quiche" are one area listed twice.
    const seen = new Set<string>();
    const problems = trimmed.flatMap((area, i) => {
      const folded = foldText(area);
      const problem = !folded ? 'must contain letters or digits' : seen.has(folded) ? `"${area}" is listed twice` : null;
      seen.add(folded);
      return problem ? [{ field: `areas.${i}`, problems: [problem] }] : [];
    });
    if (problems.length) throw new ValidationError(`Invalid request: ${problems.map((p) => p.field).join(', ')}`, problems);
    return this.referenceData.setPriorityAreas(country, trimmed, actor.id, new Date(), expectedVersion);
  }
}
