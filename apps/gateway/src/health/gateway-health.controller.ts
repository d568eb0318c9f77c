import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { UpstreamHealth, type GatewayReadiness } from './upstream-health.js';

/** The gateway keeps no state: it is live when it answers, ready when every service is ready. */
@ApiTags('health')
@Controller('health')
export class GatewayHealthController {
  constructor(private readonly upstreams: UpstreamHealth) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOkResponse({ description: 'Every service is ready; each one listed with its own readiness' })
  @ApiServiceUnavailableResponse({ description: 'At least one service is down; the body lists each' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<GatewayReadiness> {
    const readiness = await this.upstreams.check();
    res.status(readiness.status === 'ok' ? 200 : 503);
    return readiness;
  }
}
