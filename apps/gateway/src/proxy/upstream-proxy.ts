import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import helmet from 'helmet';
import type { ErrorBody, ServiceName } from '#libs/contracts';
import { RequestContext, UPSTREAM_IDLE_MS, correlationIdFrom, type MetricsRegistry, type ServiceConfig } from '#libs/common';
import { routeOf } from './upstream-routes.js';

const logger = new Logger('UpstreamProxy');
const PROXY_TIMEOUT_MS = 30_000;

/** Headers of one connection, never passed on to the next hop (RFC 9110, 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);

/** Helmet's headers with its default settings, which name no per-request value: computed once. */
function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: () => undefined,
  };
  helmet()(undefined as never, recorder as never, () => undefined);
  return headers;
}

function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) kept[name] = headers[name];
  return kept;
}

/** The client's X-Forwarded-* headers with this hop appended: services trust the gateway's account of the client. */
function forwardedFor(req: IncomingMessage): OutgoingHttpHeaders {
  const append = (name: string, value: string) => {
    const before = req.headers[name];
    return typeof before === 'string' && before.length > 0 ? `${before},${value}` : value;
  };
  return {
    'x-forwarded-for': append('x-forwarded-for', req.socket.remoteAddress ?? ''),
    'x-forwarded-port': append('x-forwarded-port', String(req.socket.localPort ?? '')),
    'x-forwarded-proto': append('x-forwarded-proto', 'http'),
    'x-forwarded-host': req.headers['x-forwarded-host'] ?? req.headers.host ?? '',
  };
}

/**
 * Forwards every API path to the service that owns it with method, headers, body and status as
 * they are, on Node's own HTTP client. It answers before Express: a proxied call then costs the
 * gateway a fraction of what Express's routing and middleware with http-proxy-middleware did.
 */
export class UpstreamProxy {
  // Reused connections: a new TCP connection per request cost the gateway more CPU than the proxying.
  private readonly agent = new Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_MS });
  private readonly upstreams: Record<ServiceName, URL>;
  private readonly security = securityHeaders();

  constructor(
    config: ServiceConfig,
    private readonly metrics: MetricsRegistry,
  ) {
    this.upstreams = Object.fromEntries(Object.entries(config.upstreams).map(([service, url]) => [service, new URL(url)])) as Record<ServiceName, URL>;
  }

  /** Puts the proxy in front of the server's application: API paths never reach it. */
  serveBefore(server: Server): void {
    const [app, ...others] = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    if (!app || others.length > 0) throw new Error('The gateway expects one request listener (its Express application)');
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!this.handle(req, res)) app(req, res);
    });
  }

  /** Proxies the request when its path belongs to a service; false leaves it to the application. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const route = routeOf(req.url ?? '');
    if (!route) return false;
    const correlationId = correlationIdFrom(req.headers['x-correlation-id']);
    const target = this.upstreams[route.service];
    const end = this.metrics.httpDuration.startTimer();
    const upstream = request({
      agent: this.agent,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      timeout: PROXY_TIMEOUT_MS,
      headers: {
        ...withoutHopByHop(req.headers),
        ...forwardedFor(req),
        host: target.host,
        // The service logs and emits the id chosen here.
        'x-correlation-id': correlationId,
      },
    });
    upstream.on('timeout', () => upstream.destroy(new Error(`No answer from ${route.service} in ${PROXY_TIMEOUT_MS} ms`)));
    upstream.on('error', (err) => this.unavailable(res, route.service, correlationId, req.url ?? '', err));
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...this.security, 'x-correlation-id': correlationId, ...withoutHopByHop(answer.headers) });
      // A service that drops mid-answer cuts the client's answer short. (No stream.pipeline: its
      // AbortController and DOMException per call cost more than the rest of the forwarding.)
      answer.once('error', () => res.destroy());
      answer.pipe(res);
    });
    res.once('close', () => {
      // A client that hangs up (a held read it no longer wants) frees the service's connection too,
      // instead of the service holding the read until its wait runs out.
      if (!res.writableFinished) upstream.destroy();
      // Proxied requests never reach Nest's routes, so they are counted here, by prefix.
      const labels = { method: req.method ?? '', route: route.prefix, status: String(res.statusCode) };
      this.metrics.httpRequests.inc(labels);
      end(labels);
    });
    req.pipe(upstream);
    return true;
  }

  private unavailable(res: ServerResponse, service: ServiceName, correlationId: string, path: string, err: Error): void {
    // Once the client is gone or its answer complete (a late error of the piped body), nothing is left to say.
    if (res.destroyed || res.writableEnded) return;
    RequestContext.run({ correlationId, causationId: null, actor: null }, () => logger.warn({ err, service, path }, 'upstream unavailable'));
    // A response already under way can only be cut short.
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body: ErrorBody = {
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: `The ${service} service is not reachable; try again shortly`,
      correlationId,
    };
    res.writeHead(503, { ...this.security, 'x-correlation-id': correlationId, 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }
}
