import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { HttpErrorFilter, MetricsController, MetricsRegistry, RequestContext, SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { ConsoleController } from './console/console.controller.js';
import { GatewayHealthController } from './health/gateway-health.controller.js';
import { UpstreamHealth } from './health/upstream-health.js';

/**
 * CommonModule's pieces without Postgres and Redis: the gateway keeps no state, so its
 * readiness is its services' readiness.
 */
@Module({})
export class GatewayModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            base: { service: config.service },
            mixin: () => {
              const ctx = RequestContext.get();
              return ctx ? { correlationId: ctx.correlationId } : {};
            },
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
            redact: ['req.headers.authorization'],
          },
        }),
      ],
      controllers: [GatewayHealthController, ConsoleController, MetricsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        MetricsRegistry,
        UpstreamHealth,
      ],
    };
  }
}
