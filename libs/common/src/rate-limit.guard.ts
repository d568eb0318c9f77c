import { CanActivate, ExecutionContext, Inject, Injectable, OnModuleDestroy, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Cluster, Redis } from 'ioredis';
import { DomainError } from '#libs/core';
import { SERVICE_CONFIG, type ServiceConfig } from './config.js';
import { redisClient } from './redis.js';

// @nestjs/throttler is CommonJS requiring the ESM-only NestJS 12, which Jest (and Node 20 without
// require(esm)) cannot load; this guard keeps its semantics: a fixed window per client, in Redis.

const SKIP_RATE_LIMIT = 'cuentas:skip-rate-limit';
/** Probes (health, metrics) are never limited. */
export const SkipRateLimit = () => SetMetadata(SKIP_RATE_LIMIT, true);

/** Count the hit, set the window's expiry on the first one; returns [hits, ms left in the window]. */
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }
`;
const WINDOW_MS = 60_000;

/** A limit per client address and minute shared by every instance of a service through Redis. */
@Injectable()
export class RateLimitGuard implements CanActivate, OnModuleDestroy {
  private readonly redis: Redis | Cluster;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly reflector: Reflector,
  ) {
    this.redis = redisClient(config, 'producer', { enableOfflineQueue: true, lazyConnect: true });
    this.redis.on('error', () => undefined);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const key = `${this.config.redisPrefix}:ratelimit:${this.config.service}:${req.ip}`;
    let hits: number;
    let ttl: number;
    try {
      [hits, ttl] = (await this.redis.eval(INCREMENT, 1, key, WINDOW_MS)) as [number, number];
    } catch {
      // Redis down: an outage of the limiter must not become an outage of the API.
      return true;
    }
    const limit = this.config.rateLimitPerMinute;
    res.setHeader('RateLimit-Limit', limit);
    res.setHeader('RateLimit-Remaining', Math.max(0, limit - hits));
    if (hits > limit) {
      res.setHeader('Retry-After', Math.ceil(Math.max(ttl, 0) / 1000));
      throw new DomainError('RATE_LIMITED', `Too many requests: at most ${limit} a minute`, 429);
    }
    return true;
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
