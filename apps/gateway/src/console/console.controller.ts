import { Controller, Get, Inject, NotFoundException } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { DEV_PEOPLE, devToken } from './dev-people.js';

@ApiTags('console')
@Controller()
export class ConsoleController {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  /** The built console's static files answer `/` first; this is reached only when it is not built. */
  @Get()
  @ApiExcludeEndpoint()
  index(): never {
    throw new NotFoundException('The web console is not built: run `npm run build:console`');
  }

  /** Sign-in shortcuts for development; a production system has real identities and no such list. */
  @Get('console/people')
  @ApiOkResponse({ description: 'Development people, one or more per role, each with a bearer token' })
  @ApiNotFoundResponse({ description: 'In production' })
  people() {
    if (this.config.nodeEnv === 'production') throw new NotFoundException();
    return Object.values(DEV_PEOPLE).map((person) => ({ ...person, token: devToken(person, this.config.jwtSecret) }));
  }
}
