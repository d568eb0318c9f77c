import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HttpErrorFilter, MetricsController, MetricsRegistry, SERVICE_CONFIG, JsonLogModule, type ServiceConfig } from '#libs/common';
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
        JsonLogModule.forRoot(config),
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
