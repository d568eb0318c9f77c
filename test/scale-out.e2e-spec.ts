import { SERVICES } from '#libs/contracts';
import { LifecycleDriver } from '#libs/testing';
import { pool } from './support/load.js';
import { ProcessSystem } from './support/process-system.js';

// 200 in `npm test` keeps the suite within its time budget on two cores; SCALE_PROGRAMS=500 or more soaks it.
const PROGRAMS = Number(process.env.SCALE_PROGRAMS ?? 200);

/** Reads a counter's total over all label sets from Prometheus text. */
function counterTotal(metrics: string, name: string): number {
  return metrics
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Two instances of every service on one Redis and one Postgres: work is shared, effects stay exactly-once. */
describe(`scale-out: two instances of each service while ${PROGRAMS} programs flow`, () => {
  let sys: ProcessSystem;
  beforeAll(async () => {
    sys = await ProcessSystem.create();
    for (const service of SERVICES) await sys.start(service, 2);
  }, 180_000);
  afterAll(() => sys?.stop(), 60_000);

  it('applies every effect once, misses none, and spreads the work over both instances', async () => {
    const instances = (service: string) => [service, `${service}#2`];
    let turn = 0;
    // Requests alternate between the instances too, as a load balancer would send them.
    const driver = new LifecycleDriver((service) => sys.url(instances(service)[turn++ % 2]), sys.driverTokens());
    await pool(PROGRAMS, 16, async (i) => {
      const id = await driver.createAndSubmit(i);
      await driver.approveReview(id);
    });

    await sys.eventually(async () => {
      const [row] = await sys.query<{ accounts: string; plans: string; reviews: string; approved: string }>(
        `SELECT (SELECT count(*) FROM disbursements.funding_accounts) AS accounts,
                (SELECT count(*) FROM assessments.plans) AS plans,
                (SELECT count(*) FROM reviews.reviews) AS reviews,
                (SELECT count(*) FROM proposals.programs WHERE status = 'APPROVED') AS approved`,
      );
      expect(row).toEqual({ accounts: String(PROGRAMS), plans: String(PROGRAMS), reviews: String(PROGRAMS), approved: String(PROGRAMS) });
    }, 120_000);
    await sys.eventually(async () => {
      const [{ outbox }] = await sys.query<{ outbox: string }>(`SELECT ${SERVICES.map((s) => `(SELECT count(*) FROM ${s}.outbox)`).join(' + ')} AS outbox`);
      const [{ ledger, distinct }] = await sys.query<{ ledger: string; distinct: string }>(
        `SELECT count(*) AS ledger, count(DISTINCT event_id) AS distinct FROM audit.ledger`,
      );
      expect(ledger).toBe(outbox);
      expect(distinct).toBe(ledger);
    }, 120_000);
    // Four points per one-year program, once each, whichever instance wrote the plan.
    const [{ points, distinct }] = await sys.query<{ points: string; distinct: string }>(
      `SELECT count(*) AS points, count(DISTINCT (program_id, sequence)) AS distinct FROM assessments.points`,
    );
    expect(points).toBe(String(PROGRAMS * 4));
    expect(distinct).toBe(points);

    for (const service of SERVICES) {
      const consumed = await Promise.all(
        instances(service).map(async (name) => counterTotal(await (await fetch(`${sys.url(name)}/metrics`)).text(), 'events_consumed_total')),
      );
      // Both instances took a real share of the service's events.
      expect(Math.min(...consumed)).toBeGreaterThan(0.1 * (consumed[0] + consumed[1]));
    }
  }, 600_000);
});
