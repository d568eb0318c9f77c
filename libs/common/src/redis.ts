import type { RedisOptions as BullRedisOptions } from 'bullmq';

/**
 * Connection settings as BullMQ recommends for production: workers block and must retry
 * forever (`maxRetriesPerRequest: null`); producers fail fast when Redis is down so the
 * outbox keeps the events and the relay retries later.
 */
export function redisOptions(role: 'worker' | 'producer') {
  const retryStrategy = (times: number): number => Math.min(times * 200, 5000);
  return role === 'worker'
    ? { maxRetriesPerRequest: null, enableReadyCheck: false, retryStrategy }
    : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, retryStrategy };
}

/** ioredis options from REDIS_URL, so BullMQ can open its own connections. */
export function redisConnection(url: string, role: 'worker' | 'producer'): BullRedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    ...redisOptions(role),
  };
}
