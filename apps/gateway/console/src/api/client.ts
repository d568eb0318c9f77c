import { getSession, signOut } from '../lib/session';

/** A refusal or failure as the server described it: `{ statusCode, code, message, details, correlationId }`. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
    readonly correlationId: string | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /** Calls made before sign-in (the people chooser) carry no token. */
  anonymous?: boolean;
}

/** crypto.randomUUID only exists in secure contexts; a gateway reached over plain http by host name is not one. */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const correlationId = newId();
  const headers: Record<string, string> = { Accept: 'application/json', 'X-Correlation-Id': correlationId, ...options.headers };
  const session = getSession();
  if (session && !options.anonymous) headers.Authorization = `Bearer ${session.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      // The HTTP cache would add If-None-Match, and a held read (Prefer: wait) would then wait for
      // a change instead of answering what exists: an unchanged account took 5 s to show.
      cache: headers.Prefer ? 'no-store' : 'default',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', 'The gateway could not be reached.', undefined, correlationId);
  }
  if (response.ok) return response;
  throw await toApiError(response, correlationId);
}

async function toApiError(response: Response, correlationId: string): Promise<ApiError> {
  const text = await response.text();
  let body: Partial<{ statusCode: number; code: string; message: string | string[]; details: unknown; correlationId: string }> = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = {};
  }
  const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
  const error = new ApiError(
    body.statusCode ?? response.status,
    body.code ?? `HTTP_${response.status}`,
    message ?? (response.statusText || 'The request failed.'),
    body.details,
    body.correlationId ?? response.headers.get('x-correlation-id') ?? correlationId,
  );
  // A token the server no longer accepts ends the session; the sign-in page explains why.
  if (response.status === 401 && getSession()) signOut(`${error.message} (${error.code})`);
  return error;
}

export async function apiRequest<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, options);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Fetches with the token and hands the body to the browser as a file. */
export async function apiDownload(path: string, query: Query, filename: string): Promise<void> {
  const response = await send('GET', path, { query, headers: { Accept: '*/*' } });
  saveFile(await response.blob(), filename);
}

/** Hands a blob to the browser as a file. */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoke later: some browsers start reading the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
