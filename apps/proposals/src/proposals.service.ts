import type { ServiceDefinition } from '#libs/platform';
import { Programs1764300000000 } from './migrations/1764300000000-programs.js';
import { ProgramEntity } from './programs/persistence/program.entity.js';
import { ProgramsModule } from './programs/programs.module.js';

export const proposalsService: ServiceDefinition = {
  name: 'proposals',
  title: 'Cuentas proposals',
  description: 'Programs from draft to closeout: the program state machine of the Root Causes Strategy portfolio.',
  features: [ProgramsModule],
  entities: [ProgramEntity],
  migrations: [Programs1764300000000],
};
