/**
 * An event arrived before one it depends on has taken effect (relays and retries do not keep
 * order across events). Throwing it rolls the inbox row back, so the delivery is retried with backoff.
 */
export class OutOfOrderEventError extends Error {
  constructor(what: string) {
    super(`not yet applicable: ${what}`);
    this.name = 'OutOfOrderEventError';
  }
}
