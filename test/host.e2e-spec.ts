import { Queue } from 'bullmq';
import { SERVICES, eventQueueName } from '#libs/contracts';
import { APPS, GROUPED_APPS, redisConnection } from '#libs/common';
import { LifecycleDriver, TEST_REDIS_URL } from '#libs/testing';
import { people } from './support/fixtures.js';
import { pool } from './support/load.js';
import { ProcessSystem } from './support/process-system.js';

const [, FRONT] = GROUPED_APPS;
const BACK = SERVICES.filter((s) => GROUPED_APPS[0].includes(s));

/**
 * The apps in two processes (scripts/host.ts), as on a small machine: the gateway with proposals and
 * reviews, the other services in the second. Everything still goes through HTTP and the queues.
 */
describe('several apps in one process', () => {
  let sys: ProcessSystem;
  let front: string;
  let back: string;
  let driver: LifecycleDriver;
  beforeAll(async () => {
    sys = await ProcessSystem.create();
    back = await sys.startHost(BACK);
    front = await sys.startHost(FRONT);
    // Every call through the gateway, as a client makes it.
    driver = new LifecycleDriver(() => sys.url('gateway'), sys.driverTokens());
  }, 180_000);
  afterAll(() => sys?.stop(), 60_000);

  it('serves each app on its own port, named as the process that runs it', async () => {
    for (const app of APPS) {
      const res = await fetch(`${sys.url(app)}/health/ready`);
      expect({ app, status: res.status }).toEqual({ app, status: 200 });
    }
    const metrics = async (app: string) => (await fetch(`${sys.url(app)}/metrics`)).text();
    // Each app keeps its own registry: reviews counts its statements; the gateway, in the same process, has none.
    expect(await metrics('reviews')).toMatch(/^db_queries_total/m);
    expect(await metrics('gateway')).not.toMatch(/^db_queries_total/m);
    expect(front).toBe('gateway+proposals+reviews');
  });

  it('moves programs through their whole life across both processes, each effect once, the audit chain whole', async () => {
    const ids = await pool(12, 4, (i) => driver.run(i));
    await sys.eventually(async () => {
      const { outbox, ledger, distinct } = await sys.eventCounts();
      expect(ledger).toBe(outbox);
      expect(distinct).toBe(ledger);
    }, 60_000);
    expect(await sys.finished(ids)).toEqual({ released: 12, completed: 12 });
    const verify = await driver.call('audit', 'GET', '/audit/verify', sys.token(people.auditor));
    expect(verify.body).toMatchObject({ valid: true, gaps: [] });
  }, 180_000);

  it('on SIGTERM under load, drains every app it runs and exits; started again, nothing is lost', async () => {
    const queues = BACK.map((s) => new Queue(eventQueueName(s), { connection: redisConnection(TEST_REDIS_URL, 'producer'), prefix: sys.redisPrefix }));
    try {
      const count = 60;
      // Only the front's commands: their events keep the back's three queues busy.
      const load = pool(count, 8, async (i) => driver.approveReview(await driver.createAndSubmit(1000 + i)));
      await sys.eventually(async () => {
        const counts = await queues[2].getJobCounts('active', 'completed');
        if (counts.active + counts.completed < 30) throw new Error('not busy yet');
      });
      const started = Date.now();
      const code = await sys.cluster.signal(back, 'SIGTERM');
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(15_000);
      // Every job it had taken finished before it exited: none waits for stall recovery.
      for (const queue of queues) expect(await queue.getJobCounts('active', 'failed')).toEqual({ active: 0, failed: 0 });
      await load;

      await sys.startHost(BACK);
      await sys.eventually(async () => {
        const [row] = await sys.query<{ approved: string; accounts: string; plans: string }>(
          `SELECT (SELECT count(*) FROM proposals.programs WHERE status = 'APPROVED') AS approved,
                  (SELECT count(*) FROM disbursements.funding_accounts) AS accounts,
                  (SELECT count(*) FROM assessments.plans) AS plans`,
        );
        expect(row).toEqual({ approved: String(count + 12), accounts: String(count + 12), plans: String(count + 12) });
        const { outbox, ledger } = await sys.eventCounts();
        expect(ledger).toBe(outbox);
      }, 90_000);
    } finally {
      await Promise.all(queues.map((q) => q.close()));
    }
  }, 240_000);
});
