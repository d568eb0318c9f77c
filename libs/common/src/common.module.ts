import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { JsonLogModule } from './access-log.js';
import { AwaitChangeInterceptor } from './await-change.interceptor.js';
import { ChangeSignals } from './change-signals.js';
import { SERVICE_CONFIG, type ServiceConfig } from './config.js';
import { HealthController, RedisHealthIndicator } from './health.js';
import { HttpErrorFilter } from './http-errors.js';
import { HttpMetricsMiddleware, MetricsController, MetricsRegistry } from './metrics.js';
import { RateLimitGuard } from './rate-limit.guard.js';

/** What every service has: config, JSON logs with the correlation id, errors, health, metrics, held GETs. */
@Global()
@Module({})
export class CommonModule implements NestModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: CommonModule,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        JsonLogModule.forRoot(config),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        // Registered before the auth guard: floods are refused before any token work.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_INTERCEPTOR, useClass: AwaitChangeInterceptor },
        ChangeSignals,
        MetricsRegistry,
        RedisHealthIndicator,
      ],
      exports: [SERVICE_CONFIG, MetricsRegistry, ChangeSignals],
    };
  }

  configure(consumer: MiddlewareConsumer) {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
