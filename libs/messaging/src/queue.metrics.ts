import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { eventQueueName, type ServiceName } from '#libs/contracts';
import { MetricsRegistry, SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { OutboxRelay } from './relay.js';

/** Depth and age of this service's own event queue, read from Redis when Prometheus scrapes. */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly metrics: MetricsRegistry,
    private readonly relay: OutboxRelay,
  ) {}

  onModuleInit(): void {
    const service = this.config.service as ServiceName;
    const queue = () => this.relay.queue(service);
    const registers = [this.metrics.registry];
    const name = eventQueueName(service);
    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs in the service event queue by state (failed = parked)',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        const counts = await queue().getJobCounts('waiting', 'active', 'delayed', 'failed').catch(() => null);
        for (const [state, n] of Object.entries(counts ?? {})) this.set({ queue: name, state }, n);
      },
    });
    new Gauge({
      name: 'queue_oldest_waiting_seconds',
      help: 'Age of the oldest job waiting in the service event queue',
      labelNames: ['queue'],
      registers,
      async collect() {
        const [oldest] = await queue().getWaiting(-1, -1).catch(() => []);
        this.set({ queue: name }, oldest ? (Date.now() - oldest.timestamp) / 1000 : 0);
      },
    });
  }
}
