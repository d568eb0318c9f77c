import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { ErrorBody, ServiceName } from '#libs/contracts';
import { RequestContext, UPSTREAM_IDLE_MS, type MetricsRegistry, type ServiceConfig } from '#libs/common';
import { routeOf } from './upstream-routes.js';

const logger = new Logger('UpstreamProxy');

/** The id chosen by the correlation middleware travels upstream, so the service logs and emits it. */
export function forwardCorrelationId(req: Request, _res: Response, next: NextFunction): void {
  req.headers['x-correlation-id'] = RequestContext.correlationId();
  next();
}

function unavailable(res: ServerResponse | Socket, req: IncomingMessage, service: ServiceName, err: Error): void {
  logger.warn({ err, service, path: req.url }, 'upstream unavailable');
  // A socket (upgrade) or a response already under way can only be cut short.
  if (!('writeHead' in res) || res.headersSent) {
    res.destroy();
    return;
  }
  const header = req.headers['x-correlation-id'];
  const body: ErrorBody = {
    statusCode: 503,
    code: 'SERVICE_UNAVAILABLE',
    message: `The ${service} service is not reachable; try again shortly`,
    correlationId: typeof header === 'string' ? header : RequestContext.correlationId(),
  };
  res.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/**
 * Forwards every API path to the service that owns it with method, headers, body and status as
 * they are. Mounted before any body parser: the request stream is piped to the service untouched.
 */
export function upstreamProxy(config: ServiceConfig, metrics: MetricsRegistry): RequestHandler {
  const proxy = createProxyMiddleware<Request, Response>({
    router: (req) => config.upstreams[routeOf(req.url)!.service],
    // Reused connections: a new TCP connection per request cost the gateway more CPU than the proxying.
    agent: new Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_MS }),
    changeOrigin: true,
    xfwd: true,
    proxyTimeout: 30_000,
    on: {
      error: (err, req, res) => unavailable(res, req, routeOf(req.url ?? '')!.service, err),
      // A client that hangs up (a held read it no longer wants) frees the service's connection too;
      // http-proxy alone would keep the service holding the read until its wait ran out.
      proxyReq: (proxyReq, _req, res) => {
        res.once('close', () => {
          if (!res.writableFinished) proxyReq.destroy();
        });
      },
    },
  });
  return (req, res, next) => {
    const route = routeOf(req.url);
    if (!route) return next();
    // Proxied requests never reach Nest's routes, so they are counted here, by prefix.
    const end = metrics.httpDuration.startTimer();
    res.on('close', () => {
      const labels = { method: req.method, route: route.prefix, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      end(labels);
    });
    return proxy(req, res, next);
  };
}
