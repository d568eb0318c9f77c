import { Injectable } from '@nestjs/common';

/** A wait for a change: settles when one of its keys is signalled, or when its time is up. */
export interface ChangeWait {
  readonly settled: Promise<void>;
  cancel(): void;
}

/**
 * Signals that something a key names (a program id, a review id) has changed and committed. The
 * outbox's commit NOTIFY names the aggregate and program of every event, and each replica's relay
 * passes them on here, whichever replica committed; a held GET (`Prefer: wait`) listens for the
 * ids in its path and query. Waits also end on a timer, for changes that emit no event.
 */
@Injectable()
export class ChangeSignals {
  private readonly waiting = new Map<string, Set<() => void>>();

  notify(keys: Iterable<string>): void {
    for (const key of keys) {
      const wakers = this.waiting.get(key.toLowerCase());
      if (!wakers) continue;
      this.waiting.delete(key.toLowerCase());
      for (const wake of wakers) wake();
    }
  }

  /** Register before reading the state, so a change committed in between is not missed. */
  waitFor(keys: readonly string[], ms: number): ChangeWait {
    const normalised = [...new Set(keys.map((k) => k.toLowerCase()))];
    let resolve!: () => void;
    const settled = new Promise<void>((r) => (resolve = r));
    const end = () => {
      clearTimeout(timer);
      for (const key of normalised) {
        const wakers = this.waiting.get(key);
        wakers?.delete(end);
        if (wakers?.size === 0) this.waiting.delete(key);
      }
      resolve();
    };
    const timer = setTimeout(end, ms);
    for (const key of normalised) {
      const wakers = this.waiting.get(key) ?? new Set();
      wakers.add(end);
      this.waiting.set(key, wakers);
    }
    return { settled, cancel: end };
  }

  /** Keys being waited for now. */
  get size(): number {
    return this.waiting.size;
  }
}
