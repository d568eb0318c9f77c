import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { AwaitChangeInterceptor } from './await-change.interceptor.js';
import { ChangeSignals } from './change-signals.js';
import { SERVICE_CONFIG, type ServiceConfig } from './config.js';
import { HealthController, RedisHealthIndicator } from './health.js';
import { HttpErrorFilter } from './http-errors.js';
import { HttpMetricsMiddleware, MetricsController, MetricsRegistry } from './metrics.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RequestContext } from './request-context.js';

function pinoOptions(config: ServiceConfig): Options {
  return {
    level: config.logLevel,
    base: { service: config.service },
    // Every line, also those written while consuming an event, names its correlation id.
    mixin: () => {
      const ctx = RequestContext.get();
      return ctx ? { correlationId: ctx.correlationId } : {};
    },
    autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
    // pino-http binds `req` to a child logger for every request, logged or not, and pino serializes
    // bindings at once: the standard serializer's headers, redacted, were about a tenth of a liveness
    // probe's CPU. An access line needs method, path and status; no header (no token) reaches the logs.
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { id?: unknown; originalUrl?: string }) => ({ id: req.id, method: req.method, url: req.originalUrl ?? req.url }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
  };
}

/** JSON logs with the service name and the correlation id on every line (also used by the gateway). */
export function jsonLoggerModule(config: ServiceConfig): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: config.logStream ? [pinoOptions(config), config.logStream] : pinoOptions(config),
  });
}

/** What every service has: config, JSON logs with the correlation id, errors, health, metrics, held GETs. */
@Global()
@Module({})
export class CommonModule implements NestModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: CommonModule,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        jsonLoggerModule(config),
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
