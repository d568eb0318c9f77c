import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import type { PinoLogger } from 'nestjs-pino';
import { eventually } from '#libs/testing';
import { AccessLogMiddleware } from './access-log.js';

type Line = { level: 'info' | 'error'; fields: Record<string, unknown>; msg: string };

/** A real HTTP server whose every request passes the middleware, then answers as its path says. */
async function serve(lines: Line[]) {
  const log = {
    info: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'info', fields, msg }),
    error: (fields: Record<string, unknown>, msg: string) => lines.push({ level: 'error', fields, msg }),
  } as unknown as PinoLogger;
  const middleware = new AccessLogMiddleware(log);
  let hangReceived: () => void = () => undefined;
  const hanging = new Promise<void>((resolve) => (hangReceived = resolve));
  const server = http.createServer((req, res) => {
    Object.assign(req, { originalUrl: req.url });
    middleware.use(req as Request, res as Response, (() => {
      if (req.url === '/hang') return hangReceived(); // never answered: the client gives up
      res.statusCode = req.url === '/broken' ? 503 : 200;
      res.end('{}');
    }) as NextFunction);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    hanging,
    close: () => {
      server.closeAllConnections(); // fetch keeps its connections alive
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('AccessLogMiddleware', () => {
  it('writes one line per answered request with method, path, status and time, a 5xx as an error, and none for probes', async () => {
    const lines: Line[] = [];
    const { base, hanging, close } = await serve(lines);
    try {
      await fetch(`${base}/programs?status=DRAFT`, { headers: { Authorization: 'Bearer secret-token' } });
      await fetch(`${base}/broken`, { method: 'POST' });
      await fetch(`${base}/health/live`);
      await fetch(`${base}/metrics`);
      const controller = new AbortController();
      const hung = fetch(`${base}/hang`, { signal: controller.signal }).catch(() => undefined);
      await hanging;
      controller.abort();
      await hung;
      await eventually(() => expect(lines).toHaveLength(3));
    } finally {
      await close();
    }
    expect(lines).toEqual([
      { level: 'info', msg: 'request completed', fields: { req: { method: 'GET', url: '/programs?status=DRAFT' }, res: { statusCode: 200 }, responseTime: expect.any(Number) } },
      { level: 'error', msg: 'request errored', fields: { req: { method: 'POST', url: '/broken' }, res: { statusCode: 503 }, responseTime: expect.any(Number) } },
      { level: 'info', msg: 'request aborted', fields: { req: { method: 'GET', url: '/hang' }, res: { statusCode: null }, responseTime: expect.any(Number) } },
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret-token');
  });
});
