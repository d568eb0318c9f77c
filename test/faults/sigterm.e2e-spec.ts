import { Queue } from 'bullmq';
import { eventQueueName } from '#libs/contracts';
import { TEST_REDIS_URL, LifecycleDriver } from '#libs/testing';
import { redisConnection } from '#libs/common';
import { pool } from '../support/load.js';
import { ProcessSystem } from '../support/process-system.js';

/** SIGTERM under load: the service finishes the jobs in hand, publishes what they wrote, and exits. */
describe('SIGTERM under load', () => {
  let sys: ProcessSystem;
  let queue: Queue;
  beforeAll(async () => {
    sys = await ProcessSystem.create();
    await sys.start('proposals');
    await sys.start('reviews');
    await sys.start('audit');
    queue = new Queue(eventQueueName('reviews'), { connection: redisConnection(TEST_REDIS_URL, 'producer'), prefix: sys.redisPrefix });
  }, 120_000);
  afterAll(async () => {
    await queue?.close();
    await sys?.stop();
  }, 60_000);

  it('drains and stops with no job left stalled, and loses nothing', async () => {
    const driver = new LifecycleDriver((s) => sys.url(s), sys.driverTokens());
    const count = 200;
    let stoppedIn = 0;
    let activeAfterStop = -1;
    const load = pool(count, 10, (i) => driver.createAndSubmit(i));
    // Let work pile up in the reviews queue, then ask reviews to stop while it is busy.
    await sys.eventually(async () => {
      const counts = await queue.getJobCounts('active', 'completed');
      if (counts.active + counts.completed < 20) throw new Error('not busy yet');
    });
    const started = Date.now();
    await sys.cluster.signal('reviews', 'SIGTERM');
    stoppedIn = Date.now() - started;
    activeAfterStop = (await queue.getJobCounts('active')).active;
    await load;

    expect(stoppedIn).toBeLessThan(15_000);
    // Every job it had taken finished before it exited: none waits for stall recovery.
    expect(activeAfterStop).toBe(0);
    expect((await queue.getJobCounts('failed')).failed).toBe(0);

    await sys.start('reviews');
    await sys.eventually(async () => {
      const [{ n }] = await sys.query<{ n: string }>(`SELECT count(*) AS n FROM proposals.programs WHERE status = 'UNDER_REVIEW'`);
      expect(Number(n)).toBe(count);
    }, 60_000);
    const [{ reviews, programs }] = await sys.query<{ reviews: string; programs: string }>(
      `SELECT count(*) AS reviews, count(DISTINCT program_id) AS programs FROM reviews.reviews`,
    );
    expect(reviews).toBe(String(count));
    expect(programs).toBe(String(count));
    // What reviews wrote before it stopped was published: audit has every reviews event.
    await sys.eventually(async () => {
      const [{ outbox, ledger }] = await sys.query<{ outbox: string; ledger: string }>(
        `SELECT (SELECT count(*) FROM reviews.outbox) AS outbox, (SELECT count(*) FROM audit.ledger WHERE source = 'reviews') AS ledger`,
      );
      expect(ledger).toBe(outbox);
    }, 60_000);
  }, 240_000);
});
