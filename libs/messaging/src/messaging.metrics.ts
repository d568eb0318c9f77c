import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '#libs/common';

/** Event backbone metrics, in the application's own registry. */
@Injectable()
export class MessagingMetrics {
  readonly published: Counter;
  readonly consumed: Counter<'type'>;
  readonly duplicates: Counter<'type'>;
  readonly failed: Counter<'type'>;
  readonly outboxLag: Gauge;
  readonly groupFallbacks: Counter;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.published = new Counter({ name: 'outbox_published_total', help: 'Outbox events published', registers });
    this.consumed = new Counter({
      name: 'events_consumed_total',
      help: 'Events applied by this service',
      labelNames: ['type'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'events_duplicate_total',
      help: 'Deliveries skipped because the inbox had the event already',
      labelNames: ['type'],
      registers,
    });
    this.failed = new Counter({
      name: 'events_failed_total',
      help: 'Event processing attempts that failed (retried, or parked after the last attempt)',
      labelNames: ['type'],
      registers,
    });
    this.outboxLag = new Gauge({
      name: 'outbox_lag_seconds',
      help: 'Age of the oldest event in the last batch the relay published',
      registers,
    });
    this.groupFallbacks = new Counter({
      name: 'events_group_fallbacks_total',
      help: 'Groups of deliveries rolled back because one effect failed, then applied one by one',
      registers,
    });
  }
}
