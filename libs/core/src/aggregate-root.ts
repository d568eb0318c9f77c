import type { EventPayloads, EventType } from '#libs/contracts';

export interface PendingEvent<T extends EventType = EventType> {
  type: T;
  payload: EventPayloads[T];
}

/**
 * Aggregates change state through their own methods and record the events that say so;
 * the handler saves the state and hands `pullEvents()` to the outbox in one transaction.
 */
export abstract class AggregateRoot {
  abstract readonly aggregateType: string;
  abstract readonly id: string;
  /** Incremented once per command that changes the aggregate; used for optimistic concurrency. */
  version = 0;
  private pending: PendingEvent[] = [];

  protected record<T extends EventType>(type: T, payload: EventPayloads[T]): void {
    this.pending.push({ type, payload } as PendingEvent);
  }

  /** Bumps the version once for the command in progress (call at most once per command). */
  protected touch(): void {
    this.version += 1;
  }

  pullEvents(): PendingEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }
}
