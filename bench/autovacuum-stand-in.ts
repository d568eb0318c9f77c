import type pg from 'pg';

/** autovacuum's default naptime: how often it visits each database. */
const NAPTIME_MS = 60_000;

/**
 * Does autovacuum's work for the bench's database when the server runs without it, as this
 * machine's Postgres does (autovacuum = off); a production server has it on. Without ANALYZE, a
 * statement prepared while its tables were empty keeps the generic plan made for empty tables:
 * in one short run the relay's mark-published UPDATE read the whole outbox for every batch
 * (1,281 buffers a call on proposals' outbox; with the other outboxes', over half the run's statement time).
 * So, once the warm-up has filled the tables and then every naptime: VACUUM (ANALYZE).
 */
export class AutovacuumStandIn {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private runs = 0;
  /** Whether the server's own autovacuum runs (then this does nothing). */
  private serverAutovacuum = false;

  constructor(private readonly db: pg.Pool) {}

  /** Vacuums and analyses now, then every naptime until `stop()`. */
  async start(): Promise<void> {
    if (this.timer) return;
    const { rows } = await this.db.query<{ autovacuum: string }>('SHOW autovacuum');
    this.serverAutovacuum = rows[0].autovacuum === 'on';
    if (this.serverAutovacuum) return;
    await this.run();
    this.timer = setInterval(() => void this.run(), NAPTIME_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** For the report: who kept the statistics current. */
  describe(): string {
    return this.serverAutovacuum
      ? "the server's autovacuum"
      : `the bench's VACUUM (ANALYZE) of its database every ${NAPTIME_MS / 1000} s (${this.runs} runs), the server's autovacuum being off`;
  }

  private run(): Promise<void> {
    this.running = this.running
      .then(() => this.db.query('VACUUM (ANALYZE)'))
      .then(
        () => void (this.runs += 1),
        (err: Error) => void process.stderr.write(`[bench] VACUUM (ANALYZE) failed: ${err.message}\n`),
      );
    return this.running;
  }
}
