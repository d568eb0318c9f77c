import { CanActivate, ExecutionContext, Inject, Injectable, OnModuleDestroy, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Cluster, Redis } from 'ioredis';
import { DomainError } from '#libs/core';
import { SERVICE_CONFIG, type ServiceConfig } from './config.js';
import { RateLimitWindows } from './rate-limit-windows.js';
import { redisClient } from './redis.js';

// @nestjs/throttler is CommonJS requiring the ESM-only NestJS 12, which Jest (and Node 20 without
// require(esm)) cannot load; this guard keeps its semantics: a fixed window per client, in Redis.

const SKIP_RATE_LIMIT = 'cuentas:skip-rate-limit';
/** Probes (health, metrics) are never limited. */
export const SkipRateLimit = () => SetMetadata(SKIP_RATE_LIMIT, true);

/** Add the hits, start the window's expiry if it has none; returns [hits, ms left in the window]. */
const ADD_HITS = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { hits, ttl }
`;
const WINDOW_MS = 60_000;
/** How soon requests admitted without asking Redis are added there. */
const REPORT_MS = 100;

type LimiterClient = (Redis | Cluster) & {
  addRateLimitHits(key: string, windowMs: number, hits: number): Promise<[number, number]>;
};

/**
 * A limit per client address and minute shared by every instance of a service through Redis.
 * Far from the limit, requests are admitted here and reported to Redis in one call per client
 * every REPORT_MS (see RateLimitWindows); near it, each request asks Redis, which decides.
 */
@Injectable()
export class RateLimitGuard implements CanActivate, OnModuleDestroy {
  private readonly redis: LimiterClient;
  private readonly windows: RateLimitWindows;
  private report: NodeJS.Timeout | null = null;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly reflector: Reflector,
  ) {
    this.redis = redisClient(config, 'producer', { enableOfflineQueue: true, lazyConnect: true }) as LimiterClient;
    this.redis.on('error', () => undefined);
    // A defined command runs by its SHA (EVALSHA) instead of sending the script every time.
    this.redis.defineCommand('addRateLimitHits', { numberOfKeys: 1, lua: ADD_HITS });
    this.windows = new RateLimitWindows(config.rateLimitPerMinute);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const key = `${this.config.redisPrefix}:ratelimit:${this.config.service}:${req.ip}`;
    const limit = this.config.rateLimitPerMinute;
    res.setHeader('RateLimit-Limit', limit);
    const left = this.windows.admitLocally(key, Date.now());
    if (left !== null) {
      res.setHeader('RateLimit-Remaining', left);
      this.report ??= setTimeout(() => void this.reportAdmitted(), REPORT_MS).unref();
      return true;
    }
    let hits: number;
    let ttl: number;
    try {
      [hits, ttl] = await this.addHits(key, this.windows.take(key, Date.now(), true));
    } catch {
      // Redis down: an outage of the limiter must not become an outage of the API.
      return true;
    }
    res.setHeader('RateLimit-Remaining', Math.max(0, limit - hits));
    if (hits > limit) {
      res.setHeader('Retry-After', Math.ceil(Math.max(ttl, 0) / 1000));
      throw new DomainError('RATE_LIMITED', `Too many requests: at most ${limit} a minute`, 429);
    }
    return true;
  }

  async onModuleDestroy(): Promise<void> {
    if (this.report) clearTimeout(this.report);
    await this.reportAdmitted();
    this.redis.disconnect();
  }

  private async addHits(key: string, hits: number): Promise<[number, number]> {
    const answer = await this.redis.addRateLimitHits(key, WINDOW_MS, hits);
    this.windows.answered(key, Date.now(), answer[0], answer[1]);
    return answer;
  }

  /** Adds in Redis what was admitted here; if Redis is down, those hits go uncounted (fail open). */
  private async reportAdmitted(): Promise<void> {
    this.report = null;
    const now = Date.now();
    await Promise.all(
      this.windows.unreported(now).map((key) => this.addHits(key, this.windows.take(key, now, false)).catch(() => undefined)),
    );
  }
}
