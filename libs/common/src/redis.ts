import type { ConnectionOptions, RedisOptions as BullRedisOptions } from 'bullmq';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { ServiceConfig } from './config.js';

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

export type RedisRole = 'worker' | 'producer';
type RedisTarget = Pick<ServiceConfig, 'redisUrl' | 'redisClusterNodes'>;

function clusterOptions(config: RedisTarget, role: RedisRole, overrides: RedisOptions): ClusterOptions {
  const { host: _h, port: _p, db: _db, ...redisOptionsForNodes } = { ...redisConnection(config.redisUrl, role), ...overrides };
  // A cluster has no databases; the node list names where to start discovering the slots.
  return {
    redisOptions: redisOptionsForNodes as RedisOptions,
    enableOfflineQueue: redisOptionsForNodes.enableOfflineQueue ?? true,
    clusterRetryStrategy: (times: number) => Math.min(times * 200, 5000),
  };
}

/**
 * A client for the configured Redis: one server (REDIS_URL) or a cluster (REDIS_CLUSTER_NODES),
 * such as a managed Redis in cluster mode.
 */
export function redisClient(config: RedisTarget, role: RedisRole, overrides: RedisOptions = {}): Redis | Cluster {
  if (config.redisClusterNodes) {
    return new Cluster(config.redisClusterNodes.map(parseNode), clusterOptions(config, role, overrides));
  }
  return new Redis({ ...redisConnection(config.redisUrl, role), ...overrides } as RedisOptions);
}

const clusterClients = new WeakMap<RedisTarget, Set<Cluster>>();

/** What BullMQ queues and workers connect with: options of their own, or a cluster client they duplicate. */
export function bullConnection(config: RedisTarget, role: RedisRole): ConnectionOptions {
  if (!config.redisClusterNodes) return redisConnection(config.redisUrl, role);
  // BullMQ does not close a client it was given: remember it, so shutdown can.
  const client = redisClient(config, role) as Cluster;
  client.on('error', () => undefined);
  const clients = clusterClients.get(config) ?? new Set<Cluster>();
  clients.add(client);
  clusterClients.set(config, clients);
  return client as unknown as ConnectionOptions;
}

/** Closes the cluster clients handed to BullMQ for this configuration (one application). */
export async function closeBullConnections(config: RedisTarget): Promise<void> {
  const clients = clusterClients.get(config) ?? new Set<Cluster>();
  clusterClients.delete(config);
  await Promise.all([...clients].map((c) => c.quit().catch(() => c.disconnect())));
}

function parseNode(node: string): { host: string; port: number } {
  const [host, port] = node.split(':');
  return { host, port: Number(port || 6379) };
}
