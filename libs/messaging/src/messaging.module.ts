import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { eventQueueName, type ServiceName } from '#libs/contracts';
import { DENIAL_RECORDER, SERVICE_CONFIG, bullConnection, closeBullConnections, type ServiceConfig } from '#libs/common';
import { OutboxDenialRecorder } from './denial-recorder.js';
import { ConsumerKit } from './event-processor.js';
import { Inbox } from './inbox.js';
import { MessagingMetrics } from './messaging.metrics.js';
import { Outbox } from './outbox.js';
import { QueueMetrics } from './queue.metrics.js';
import { RedisPolicyCheck } from './redis-policy.check.js';
import { RedisRestartWatcher } from './redis-restart.watcher.js';
import { OutboxRelay } from './relay.js';

/** Last step of shutdown: the Redis Cluster clients BullMQ was given (none on a single Redis). */
class BullConnectionsCloser implements OnApplicationShutdown {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  onApplicationShutdown(): Promise<void> {
    return closeBullConnections(this.config);
  }
}

/** The event backbone of one service: outbox, relay, inbox, and its own queue's worker connection. */
@Global()
@Module({})
export class MessagingModule {
  static forService(config: ServiceConfig): DynamicModule {
    const service = config.service as ServiceName;
    return {
      module: MessagingModule,
      imports: [
        CqrsModule.forRoot(),
        BullModule.forRoot({ connection: bullConnection(config, 'worker'), prefix: config.redisPrefix }),
        BullModule.registerQueue({ name: eventQueueName(service) }),
      ],
      providers: [
        Outbox,
        OutboxRelay,
        Inbox,
        ConsumerKit,
        MessagingMetrics,
        QueueMetrics,
        RedisPolicyCheck,
        RedisRestartWatcher,
        BullConnectionsCloser,
        { provide: DENIAL_RECORDER, useClass: OutboxDenialRecorder },
      ],
      exports: [RedisRestartWatcher, Outbox, OutboxRelay, Inbox, ConsumerKit, MessagingMetrics, DENIAL_RECORDER, CqrsModule, BullModule],
    };
  }
}
