import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { MetricsRegistry, correlationMiddleware, type ServiceConfig } from '#libs/common';
import { fetchUpstreamDocuments, mergeDocuments } from './docs/merged-docs.js';
import { GatewayModule } from './gateway.module.js';
import { UpstreamProxy } from './proxy/upstream-proxy.js';

export interface GatewayOptions {
  /** The built web console (`npm run build:console`); defaults to CONSOLE_DIR or ./dist/console. */
  consoleDir?: string;
  /** Close on SIGTERM/SIGINT by itself (default); a combined process closes its apps in order instead (scripts/host.ts). */
  shutdownHooks?: boolean;
}

/** Builds the gateway (not yet listening): one origin for every service's API, the console and the docs. */
export async function createGatewayApp(config: ServiceConfig, options: GatewayOptions = {}): Promise<INestApplication> {
  // No body parser: the gateway's own routes take no body (proxied calls never reach Express).
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  new UpstreamProxy(config, app.get(MetricsRegistry)).serveBefore(app.getHttpServer());
  app.use(helmet());
  app.use(correlationMiddleware);
  app.useStaticAssets(options.consoleDir ?? process.env.CONSOLE_DIR ?? resolve('dist/console'), { index: 'index.html' });
  if (options.shutdownHooks !== false) app.enableShutdownHooks();

  const base = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Cuentas API')
      .setDescription('Every service of Cuentas under one origin: programs, reviews, disbursements, assessments and the audit ledger.')
      .setVersion('1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, base, {
    jsonDocumentUrl: 'docs-json',
    // Merged on each request, so a service's new endpoints show without restarting the gateway.
    patchDocumentOnRequest: async (_req, _res, document) => mergeDocuments(document, await fetchUpstreamDocuments(config)),
  });
  return app;
}
