import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { SERVICE_CONFIG, redisClient, type ServiceConfig } from '#libs/common';

export interface RedisPolicy {
  maxmemoryPolicy: string | null;
  aofEnabled: boolean;
  rdbSaves: boolean;
}

/** Reads the policy from INFO, which managed Redis services answer even where CONFIG is disabled. */
export async function readRedisPolicy(client: Redis | Cluster): Promise<RedisPolicy> {
  const info = await client.info();
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? null;
  let rdbSaves = false;
  try {
    const [, save] = (await client.config('GET', 'save')) as [string, string];
    rdbSaves = Boolean(save);
  } catch {
    rdbSaves = field('rdb_last_save_time') !== null && field('rdb_changes_since_last_save') !== null;
  }
  return { maxmemoryPolicy: field('maxmemory_policy'), aofEnabled: field('aof_enabled') === '1', rdbSaves };
}

/**
 * Refuses to start on a Redis that may evict keys (an evicted job is a lost event) and warns when
 * Redis keeps nothing on disk (a restart would lose queued events until the outbox republishes them).
 */
@Injectable()
export class RedisPolicyCheck implements OnModuleInit {
  private readonly logger = new Logger(RedisPolicyCheck.name);

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  async onModuleInit(): Promise<void> {
    const client = redisClient(this.config, 'producer', { lazyConnect: true });
    client.on('error', () => undefined);
    let policy: RedisPolicy;
    try {
      await client.connect();
      policy = await readRedisPolicy(client);
    } catch (err) {
      // Redis being down is not a configuration error: the relay and workers wait for it.
      this.logger.warn({ err: (err as Error).message }, 'could not read the Redis policy at start');
      return;
    } finally {
      client.disconnect();
    }
    if (policy.maxmemoryPolicy !== null && policy.maxmemoryPolicy !== 'noeviction') {
      throw new Error(
        `Redis maxmemory-policy is "${policy.maxmemoryPolicy}": set it to "noeviction", or queued events can be evicted`,
      );
    }
    if (!policy.aofEnabled && !policy.rdbSaves) {
      this.logger.warn('Redis keeps nothing on disk: enable appendonly (appendfsync everysec) in production');
    }
  }
}
