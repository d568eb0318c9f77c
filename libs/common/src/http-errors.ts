import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Inject,
  Logger,
  Optional,
  ValidationPipe,
  type ArgumentMetadata,
  type ValidationError as ClassValidationError,
} from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import type { Request, Response } from 'express';
import type { ErrorBody, ErrorCode } from '#libs/contracts';
import { DomainError, ValidationError } from '#libs/core';
import { RequestContext } from './request-context.js';

/** A request body in another format than JSON (415). */
export class UnsupportedMediaTypeError extends DomainError {
  constructor(contentType: string | undefined) {
    super('UNSUPPORTED_MEDIA_TYPE', `Send the body as JSON with Content-Type: application/json (got ${contentType ? `"${contentType}"` : 'none'})`, 415);
  }
}

/** Missing or bad credentials (401). Always audited. */
export class UnauthenticatedError extends DomainError {
  constructor(message: string) {
    super('UNAUTHENTICATED', message, 401);
  }
}

/** Where 401 and 403 refusals go to be audited; messaging provides it. */
export interface DenialRecorder {
  recordDenial(denial: {
    method: string;
    path: string;
    statusCode: number;
    code: string;
    reason: string;
    programId: string | null;
  }): Promise<void>;
}
export const DENIAL_RECORDER = Symbol('DENIAL_RECORDER');

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'INVALID_TRANSITION',
  413: 'VALIDATION_FAILED',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Maps every error to the body of API.md, with the correlation id; audits 401 and 403. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  constructor(@Optional() @Inject(DENIAL_RECORDER) private readonly denials?: DenialRecorder) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const body = this.toBody(exception);
    if ((body.statusCode === 401 || body.statusCode === 403) && this.denials) {
      await this.denials
        .recordDenial({
          method: req.method,
          path: req.originalUrl ?? req.url,
          statusCode: body.statusCode,
          code: body.code,
          reason: body.message,
          programId: programIdOf(exception),
        })
        .catch((err) => this.logger.error({ err }, 'could not record access.denied'));
    }
    if (res.headersSent) return;
    res.status(body.statusCode).json(body);
  }

  toBody(exception: unknown): ErrorBody {
    const correlationId = RequestContext.correlationId();
    if (exception instanceof DomainError) {
      return {
        statusCode: exception.statusCode,
        code: exception.code,
        message: exception.message,
        ...(exception.details !== undefined ? { details: exception.details } : {}),
        correlationId,
      };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? exception.message);
      return { statusCode, code: STATUS_CODES[statusCode] ?? (statusCode < 500 ? 'VALIDATION_FAILED' : 'INTERNAL_ERROR'), message, correlationId };
    }
    // Body-parser errors (malformed JSON, too large) carry a status but are not HttpExceptions.
    const status = (exception as { status?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return {
        statusCode: status,
        code: STATUS_CODES[status] ?? 'VALIDATION_FAILED',
        message: status === 400 ? 'The request body is not valid JSON' : (exception as Error).message,
        correlationId,
      };
    }
    if (isUnavailable(exception)) {
      return {
        statusCode: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: 'A backing service is unavailable; nothing was changed. Please retry.',
        correlationId,
      };
    }
    this.logger.error({ err: exception }, 'unhandled error');
    return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'An unexpected error occurred', correlationId };
  }
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|query runner (?:was )?already released|terminating connection/i;

/** Postgres or Redis went away mid-request: the transaction rolled back, so it is a retryable 503. */
function isUnavailable(exception: unknown): boolean {
  const e = exception as { code?: unknown; driverError?: { code?: unknown }; message?: unknown } | null;
  const code = e?.driverError?.code ?? e?.code;
  return (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) || (typeof e?.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message));
}

/** Domain refusals may name the program they concern, so the denial shows in its timeline. */
function programIdOf(exception: unknown): string | null {
  const details = exception instanceof DomainError ? (exception.details as { programId?: unknown } | undefined) : undefined;
  return typeof details?.programId === 'string' ? details.programId : null;
}

/** `{ field, problems }` per field, the same shape the domain's ValidationErrors use. */
function flatten(errors: ClassValidationError[], parent = ''): Array<{ field: string; problems: string[] }> {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Deeper than any body of the API; deeper ones would exhaust the stack of the transformer. */
const MAX_BODY_DEPTH = 32;
/** Names no body field may have: they reach the prototype chain, which the whitelist does not see. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', ...Object.getOwnPropertyNames(Object.prototype)]);

/** What Postgres text and jsonb cannot store: U+0000, and a surrogate that is not half of a pair (JSON allows both). */
const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** Whether Postgres can store the text: a request carrying text it cannot would fail its statement. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * The first problem of a request input's shape (a JSON body, the query or a path parameter), found
 * before any class-transformer work: too deep, a key that reaches the prototype chain, or text
 * Postgres cannot store (it failed the statement: a 500).
 */
function inputShapeProblem(value: unknown, path: string, depth = 0): { field: string; problem: string } | null {
  if (typeof value === 'string') return isStorableText(value) ? null : { field: path, problem: 'must be well-formed Unicode text without the NUL character (U+0000)' };
  if (typeof value !== 'object' || value === null) return null;
  if (depth >= MAX_BODY_DEPTH) return { field: path, problem: `nests deeper than ${MAX_BODY_DEPTH} levels` };
  for (const key of Object.keys(value)) {
    const field = depth === 0 ? key : `${path}.${key}`;
    if ((!Array.isArray(value) && FORBIDDEN_KEYS.has(key)) || !isStorableText(key)) return { field, problem: 'should not exist' };
    const inner = inputShapeProblem((value as Record<string, unknown>)[key], field, depth + 1);
    if (inner) return inner;
  }
  return null;
}

/**
 * A query parameter the DTO declares, sent more than once (`?limit=1&limit=2`, which the query
 * parser makes an array): every one of the API is a single value, and class-validator would list
 * every rule the array breaks instead of saying so. Undeclared names are left to the whitelist.
 */
function repeatedQueryParameter(query: unknown, dto: ArgumentMetadata['metatype']): string | null {
  if (!dto || typeof query !== 'object' || query === null) return null;
  // Most queries repeat nothing: only then are the DTO's declared names looked up.
  const repeated = Object.keys(query).filter((key) => typeof (query as Record<string, unknown>)[key] !== 'string');
  if (repeated.length === 0) return null;
  const declared = new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((m) => m.propertyName));
  return repeated.find((key) => declared.has(key)) ?? null;
}

/** The global pipe: the input's shape first, then class-validator. */
class ApiValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata) {
    if (metadata.type === 'body') {
      // Every body of the API is one JSON object; an array or a bare value would slip past the DTO.
      if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
        throw new ValidationError('Invalid request: body', [{ field: 'body', problems: ['must be a JSON object'] }]);
      }
    }
    if (metadata.type !== 'custom') {
      const shape = inputShapeProblem(value, metadata.data ?? metadata.type);
      if (shape) throw new ValidationError(`Invalid request: ${shape.field}`, [{ field: shape.field, problems: [shape.problem] }]);
    }
    const repeated = metadata.type === 'query' ? repeatedQueryParameter(value, metadata.metatype) : null;
    if (repeated) throw new ValidationError(`Invalid request: ${repeated}`, [{ field: repeated, problems: ['must be given once, as one value'] }]);
    return super.transform(value, metadata);
  }
}

/** Rejects unknown fields, wrong types and out-of-range values, naming each field. */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      return new ValidationError(`Invalid request: ${details.map((d) => d.field).join(', ')}`, details);
    },
  });
}

