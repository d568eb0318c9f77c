/**
 * A single-flight background drain: a kick while a drain runs only makes it drain again (work
 * that arrives together is handled together), and a slow poll catches kicks that were lost.
 * `drainOnce` handles what is pending now and reports its own failures (the next kick retries).
 */
export class DrainLoop {
  private draining: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private poll: NodeJS.Timeout | null = null;

  constructor(
    private readonly drainOnce: () => Promise<void>,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.poll = setInterval(() => this.kick(), this.pollMs);
    this.poll.unref();
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.run().finally(() => {
      this.draining = null;
    });
  }

  /** Stops kicks and the poll, then waits for the drain in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    while (this.draining) await this.draining;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      await this.drainOnce();
    } while (this.again && !this.stopped);
  }
}
