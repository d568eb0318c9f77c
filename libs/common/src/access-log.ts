import { Injectable, Module, type DynamicModule, type MiddlewareConsumer, type NestMiddleware, type NestModule } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import type { ServiceConfig } from './config.js';
import { RequestContext } from './request-context.js';

/** Probes are asked every few seconds; a line for each would drown the rest. */
const UNLOGGED = /^\/(health|metrics)/;

/**
 * One line per request once it is answered: method, path, status and milliseconds taken, at info
 * (error for a 5xx). No header is logged, so no token. The correlation id comes from the log
 * mixin, as on every other line.
 */
@Injectable()
export class AccessLogMiddleware implements NestMiddleware {
  constructor(private readonly log: PinoLogger) {}

  use(req: Request, res: Response, next: NextFunction): void {
    if (UNLOGGED.test(req.originalUrl)) return next();
    const started = Date.now();
    res.once('close', () => {
      // A request given up before its answer began has no status yet.
      const statusCode = res.headersSent ? res.statusCode : null;
      const line = { req: { method: req.method, url: req.originalUrl }, res: { statusCode }, responseTime: Date.now() - started };
      if (!res.writableFinished) this.log.info(line, 'request aborted');
      else if (res.statusCode >= 500) this.log.error(line, 'request errored');
      else this.log.info(line, 'request completed');
    });
    next();
  }
}

/**
 * JSON logs (pino) with the service name and the correlation id on every line, and an access line
 * per request. nestjs-pino's own request middleware (pino-http) is not mounted: it made a child
 * logger and an async context for every request, logged or not, for a correlation id that the
 * mixin already adds to every line.
 */
@Module({})
export class JsonLogModule implements NestModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    const combined = config.processApps.length > 1;
    const options = {
      level: config.logLevel,
      // nestjs-pino keeps one root logger per OS process: in a combined process every line names the group.
      base: { service: config.processApps.join('+') },
      // Every line, also those written while consuming an event, names its correlation id.
      mixin: () => {
        const ctx = RequestContext.get();
        return ctx ? { correlationId: ctx.correlationId } : {};
      },
      // pino-http would map `req` and `res` as raw Node objects; the access line's are already plain.
      wrapSerializers: false,
      // @nestjs/typeorm counts data sources per process to catch two in one app; in a combined
      // process each app has its own container and data source, so its warning would be false.
      ...(combined && {
        hooks: {
          logMethod(this: unknown, args: unknown[], write: (...a: unknown[]) => void) {
            if ((args[0] as { context?: string } | undefined)?.context !== 'DataSourceNameRegistry') write.apply(this, args);
          },
        },
      }),
    };
    return {
      module: JsonLogModule,
      imports: [LoggerModule.forRoot({ pinoHttp: config.logStream ? [options, config.logStream] : options, forRoutes: [] })],
      providers: [AccessLogMiddleware],
      exports: [LoggerModule],
    };
  }

  configure(consumer: MiddlewareConsumer) {
    consumer.apply(AccessLogMiddleware).forRoutes('*path');
  }
}
