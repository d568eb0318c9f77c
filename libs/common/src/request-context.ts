import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Actor } from '#libs/contracts';

/** What every log line and every event caused by one request or one consumed event carries. */
export interface ContextStore {
  correlationId: string;
  causationId: string | null;
  actor: Actor | null;
}

const storage = new AsyncLocalStorage<ContextStore>();

export const RequestContext = {
  run<T>(store: ContextStore, fn: () => T): T {
    return storage.run(store, fn);
  },
  get(): ContextStore | undefined {
    return storage.getStore();
  },
  correlationId(): string {
    return storage.getStore()?.correlationId ?? randomUUID();
  },
};

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a client's correlation id when it is safe to log and echo, else makes one. */
export function correlationIdFrom(header: unknown): string {
  return typeof header === 'string' && CORRELATION_ID.test(header) ? header : randomUUID();
}
