import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { UnsupportedMediaTypeError, createValidationPipe } from './http-errors.js';
import { RequestContext, correlationIdFrom } from './request-context.js';

/** Takes or makes the correlation id, echoes it, and opens the request's context. */
export function correlationMiddleware(req: Request, res: Response, next: NextFunction): void {
  const correlationId = correlationIdFrom(req.headers['x-correlation-id']);
  res.setHeader('X-Correlation-Id', correlationId);
  RequestContext.run({ correlationId, causationId: null, actor: null }, next);
}

/**
 * Refuses a body that is not JSON before any parser reads it: a form-encoded body (curl's `-d`
 * default) would otherwise be parsed into one stray field named after the whole JSON text.
 */
function jsonBodiesOnly(req: Request, _res: Response, next: NextFunction): void {
  const sendsBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  next(sendsBody && !req.is('application/json') ? new UnsupportedMediaTypeError(req.headers['content-type']) : undefined);
}

export interface BuildOptions {
  title: string;
  description: string;
  /** Close on SIGTERM/SIGINT by itself (default); a combined process closes its apps in order instead (scripts/host.ts). */
  shutdownHooks?: boolean;
}

/** Creates a service's HTTP application with the conventions of API.md; does not listen. */
export async function buildServiceApp(
  module: DynamicModule,
  options: BuildOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true });
  // Services sit behind the gateway on a private network: the client's address (rate limits,
  // logs) is the one the gateway forwards, not the gateway's own.
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.useLogger(app.get(Logger));
  app.use(helmet());
  app.use(correlationMiddleware);
  app.use(jsonBodiesOnly);
  app.useGlobalPipes(createValidationPipe());
  if (options.shutdownHooks !== false) app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(options.title)
      .setDescription(options.description)
      .setVersion('1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

/** How long the gateway keeps an idle connection to a service for reuse (services keep theirs longer). */
export const UPSTREAM_IDLE_MS = 60_000;
