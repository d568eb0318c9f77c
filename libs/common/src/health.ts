import { Controller, Get, Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Cluster, Redis } from 'ioredis';
import { SERVICE_CONFIG, type ServiceConfig } from './config.js';
import { Public } from './public.decorator.js';
import { SkipRateLimit } from './rate-limit.guard.js';
import { redisClient } from './redis.js';

@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private readonly client: Redis | Cluster;

  constructor(
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    private readonly indicators: HealthIndicatorService,
  ) {
    // The offline queue lets the first ping wait for the connection; the 1 s race bounds it.
    this.client = redisClient(config, 'producer', { enableOfflineQueue: true });
    this.client.on('error', () => undefined); // reported through the check, not as noise
  }

  async isHealthy(key: string) {
    const check = this.indicators.check(key);
    try {
      const pong = await Promise.race([
        this.client.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000).unref()),
      ]);
      return pong === 'PONG' ? check.up() : check.down('unexpected reply');
    } catch (err) {
      return check.down((err as Error).message);
    }
  }

  async onModuleDestroy() {
    this.client.disconnect();
  }
}

@ApiTags('health')
@SkipRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Public()
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Public()
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.db.pingCheck('postgres', { timeout: 1000 }),
      () => this.redis.isHealthy('redis'),
    ]);
  }
}
