/**
 * Group commit: items submitted while a write is in flight are written together by the next one,
 * so concurrent callers share one transaction (one round trip per statement, one WAL flush)
 * instead of paying one each. An item submitted to an idle committer waits only for the current
 * turn of the event loop, so at low load nothing is delayed and at high load groups grow by
 * themselves. Each caller's promise settles with its own result once its group has committed,
 * or rejects with the group's error, so a caller never acknowledges work that was rolled back.
 */
export class GroupCommit<T, R> {
  private queued: Array<{ item: T; resolve: (result: R) => void; reject: (err: unknown) => void }> = [];
  private writers = 0;
  private starting = false;

  constructor(
    /** Writes a group in one transaction and returns one result per item, in order. */
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly maxGroup: number,
    /**
     * Groups written at the same time. One makes the largest groups; a few more keep effects that
     * wait on the database (several statements each) from queueing behind one another.
     */
    private readonly maxWriters = 1,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      if (this.starting || this.writers >= this.maxWriters) return;
      this.starting = true;
      // Callers woken in the same turn (a worker taking several jobs) join this group.
      setImmediate(() => {
        this.starting = false;
        if (this.queued.length === 0 || this.writers >= this.maxWriters) return;
        this.writers += 1;
        void this.drain();
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.queued.length > 0) {
      const group = this.queued.splice(0, this.maxGroup);
      try {
        const results = await this.write(group.map((g) => g.item));
        group.forEach((g, i) => g.resolve(results[i]));
      } catch (err) {
        for (const g of group) g.reject(err);
      }
    }
    this.writers -= 1;
  }
}
