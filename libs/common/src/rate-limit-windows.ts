/**
 * Share of a limit that one instance may admit for a client on its own between two answers from
 * Redis: 1 %. Far from the limit a request then costs no round trip; near it (and for any limit
 * under 100) every request asks Redis, so the count stays exact where it decides.
 */
const LOCAL_SHARE = 0.01;

/** What an instance knows of one client's window. */
interface ClientWindow {
  /** The window's count as Redis last answered it. */
  counted: number;
  /** Requests admitted here since, not yet added in Redis. */
  pending: number;
  /** When Redis said the window ends (0 until it has answered). */
  endsAt: number;
}

/**
 * The per-client fixed windows of a rate limit shared through Redis, as one instance sees them.
 * A request is admitted here without asking Redis while the client's last known count, plus what
 * this instance admitted since, is below the limit and this instance has admitted fewer than its
 * local share since it last reported. Several instances together may so admit at most their
 * number times that share past the limit before Redis refuses; every request is still counted in
 * Redis, by the next report.
 */
export class RateLimitWindows {
  private readonly windows = new Map<string, ClientWindow>();
  private readonly localBudget: number;

  constructor(private readonly limit: number) {
    this.localBudget = Math.floor(limit * LOCAL_SHARE);
  }

  /** Admits the request without Redis and returns the requests left, or null if Redis must decide. */
  admitLocally(key: string, now: number): number | null {
    const w = this.window(key, now);
    if (w.pending >= this.localBudget || w.counted + w.pending >= this.limit) return null;
    w.pending += 1;
    return this.limit - w.counted - w.pending;
  }

  /** Takes the requests to add in Redis for this key, plus the one being decided when `withCurrent`. */
  take(key: string, now: number, withCurrent: boolean): number {
    const w = this.window(key, now);
    const hits = w.pending + (withCurrent ? 1 : 0);
    w.pending = 0;
    return hits;
  }

  /** Records Redis' answer: the window's count and the milliseconds it has left. */
  answered(key: string, now: number, counted: number, msLeft: number): void {
    const w = this.window(key, now);
    w.counted = counted;
    w.endsAt = now + Math.max(msLeft, 0);
  }

  /** Keys with requests not yet reported; forgets windows that ended with nothing to report. */
  unreported(now: number): string[] {
    const keys: string[] = [];
    for (const [key, w] of this.windows) {
      if (w.pending > 0) keys.push(key);
      else if (now >= w.endsAt) this.windows.delete(key);
    }
    return keys;
  }

  private window(key: string, now: number): ClientWindow {
    let w = this.windows.get(key);
    if (!w) {
      w = { counted: 0, pending: 0, endsAt: 0 };
      this.windows.set(key, w);
    } else if (w.endsAt !== 0 && now >= w.endsAt) {
      // Redis has let the window expire: a new one starts from what is pending here.
      w.counted = 0;
      w.endsAt = 0;
    }
    return w;
  }
}
