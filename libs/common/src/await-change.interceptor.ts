import { createHash } from 'node:crypto';
import { Injectable, StreamableFile, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { NotFoundError } from '#libs/core';
import { ChangeSignals } from './change-signals.js';

/** The longest a GET is held; the gateway's upstream timeout is longer. */
export const MAX_WAIT_SECONDS = 20;
/** How often a held GET reads again without a signal: changes that emit no event, a lost listener. */
const RECHECK_MS = 2_000;

/** `Prefer: wait=N` (RFC 7240), in seconds, capped; null when absent or malformed. */
export function preferredWait(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  const match = /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?(?:$|[,;\s])/i.exec(value);
  return match ? Math.min(Number(match[1]), MAX_WAIT_SECONDS) : null;
}

/** The ETag of a JSON answer (set here, so Express uses it and answers 304 to a matching If-None-Match). */
export function etagOf(body: unknown): string {
  return `W/"${createHash('sha1').update(JSON.stringify(body) ?? '').digest('base64url')}"`;
}

/** Answers serialised as JSON; files and streams (exports) are neither tagged nor held. */
const isJson = (body: unknown) =>
  body !== undefined && !(body instanceof StreamableFile) && !Buffer.isBuffer(body) && typeof (body as { pipe?: unknown } | null)?.pipe !== 'function';

/**
 * Lets a client wait for a change instead of polling. A GET with `Prefer: wait=N` that would
 * answer 404, or the representation named by its `If-None-Match`, is held for up to N seconds
 * until the resource changes: the service reads it again when the ids in the path or query are
 * signalled (see ChangeSignals), and every RECHECK_MS. At the end of the wait the client gets the
 * usual answer (404, or 304 Not Modified).
 */
@Injectable()
export class AwaitChangeInterceptor implements NestInterceptor {
  constructor(private readonly signals: ChangeSignals) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    if (req.method !== 'GET' || context.getType() !== 'http') return next.handle();
    return from(this.answer(req, http.getResponse<Response>(), next));
  }

  private async answer(req: Request, res: Response, next: CallHandler): Promise<unknown> {
    const wait = preferredWait(req.headers.prefer);
    if (wait === null) return this.tagged(res, await lastValueFrom(next.handle()));
    res.setHeader('Preference-Applied', `wait=${wait}`);
    const known = req.headers['if-none-match'];
    const keys = [...Object.values(req.params ?? {}), ...Object.values(req.query ?? {})].filter((v): v is string => typeof v === 'string');
    const deadline = Date.now() + wait * 1000;
    for (;;) {
      const remaining = deadline - Date.now();
      const change = this.signals.waitFor(keys, Math.max(0, Math.min(remaining, RECHECK_MS)));
      try {
        const body = await lastValueFrom(next.handle());
        if (!isJson(body)) {
          change.cancel();
          return body;
        }
        const etag = etagOf(body);
        if (etag !== known || remaining <= 0) {
          change.cancel();
          res.setHeader('ETag', etag);
          return body;
        }
      } catch (err) {
        if (!(err instanceof NotFoundError) || remaining <= 0) {
          change.cancel();
          throw err;
        }
      }
      await change.settled;
      // The client went away (or the gateway timed out): stop reading for it; nothing is sent.
      if (req.socket.destroyed) return undefined;
    }
  }

  private tagged(res: Response, body: unknown): unknown {
    if (isJson(body) && !res.headersSent) res.setHeader('ETag', etagOf(body));
    return body;
  }
}
