import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { SERVICE_CONFIG, redisClient, type ServiceConfig } from '#libs/common';

type RestartListener = (lastSeenBefore: Date) => Promise<unknown>;

/**
 * Notices when Redis came back as a new process (its run_id changed). Redis persists with
 * `appendfsync everysec`, so jobs written in the last second before a crash may be gone; listeners
 * (the relay, the assessment timers) then re-send what that window may have lost.
 */
@Injectable()
export class RedisRestartWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RedisRestartWatcher.name);
  private readonly listeners: RestartListener[] = [];
  private client: Redis | Cluster | null = null;
  private timer: NodeJS.Timeout | null = null;
  private runId: string | null = null;
  private lastSeenAt = new Date();

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  onRestart(listener: RestartListener): void {
    this.listeners.push(listener);
  }

  onApplicationBootstrap(): void {
    this.client = redisClient(this.config, 'producer', { lazyConnect: true });
    this.client.on('error', () => undefined);
    this.timer = setInterval(() => void this.check(), Math.max(this.config.relayPollMs, 250));
    this.timer.unref();
    void this.check();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.client?.disconnect();
  }

  /** One INFO call: cheap enough for every tick. Public so tests can force a check. */
  async check(): Promise<void> {
    let runId: string | undefined;
    try {
      if (this.client?.status === 'wait' || this.client?.status === 'end') await this.client.connect();
      runId = /^run_id:(\w+)/m.exec(await this.client!.info('server'))?.[1];
    } catch {
      return; // down: keep the last run id and when it was last seen
    }
    if (!runId) return;
    const before = this.lastSeenAt;
    const restarted = this.runId !== null && this.runId !== runId;
    this.runId = runId;
    this.lastSeenAt = new Date();
    if (!restarted) return;
    this.logger.warn({ lastSeenBefore: before.toISOString() }, 'Redis restarted; re-sending what it may have lost');
    for (const listener of this.listeners) {
      await listener(before).catch((err) => this.logger.error({ err: (err as Error).message }, 'restart listener failed'));
    }
  }
}
