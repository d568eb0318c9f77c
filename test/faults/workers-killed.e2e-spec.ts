import { SERVICES } from '#libs/contracts';
import { LifecycleDriver, eventually } from '#libs/testing';
import { people } from '../support/fixtures.js';
import { pool } from '../support/load.js';
import { ProcessSystem } from '../support/process-system.js';

// `npm run test:faults` runs the full 1,000; `npm test` a smaller run of the same test to stay in its time budget.
const PROGRAMS = Number(process.env.FAULT_PROGRAMS ?? 150);

/**
 * Every service runs as two OS processes; the second of each is SIGKILLed and restarted, one
 * every two seconds, while programs go through their whole life. Afterwards every effect happened
 * exactly once, every inbox holds each event once, and the audit chain verifies with no gaps.
 */
describe(`workers SIGKILLed every 2 s while ${PROGRAMS} programs live their life`, () => {
  let sys: ProcessSystem;
  beforeAll(async () => {
    sys = await ProcessSystem.create();
    for (const service of SERVICES) await sys.start(service, 2);
  }, 180_000);
  afterAll(() => sys?.stop(), 60_000);

  it('ends with every effect once, every inbox exact, and a verifiable ledger', async () => {
    const driver = new LifecycleDriver((service) => sys.url(service), sys.driverTokens());
    let stop = false;
    let kills = 0;
    const killer = (async () => {
      for (let i = 0; !stop; i += 1) {
        await new Promise((r) => setTimeout(r, 2000));
        if (stop) break;
        await sys.cluster.restart(`${SERVICES[i % SERVICES.length]}#2`, 'SIGKILL');
        kills += 1;
      }
    })();
    let ids: string[];
    try {
      ids = await pool(PROGRAMS, 16, (i) => driver.run(i));
    } finally {
      stop = true;
      await killer;
    }
    expect(kills).toBeGreaterThan(0);

    // Effects: each program approved once, one review, one account, one plan, one release.
    const programs = await sys.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM proposals.programs GROUP BY status`);
    expect(programs).toEqual([{ status: 'APPROVED', n: String(PROGRAMS) }]);
    const reviews = await sys.query<{ n: string }>(`SELECT count(*) AS n FROM reviews.reviews`);
    expect(Number(reviews[0].n)).toBe(PROGRAMS);
    const accounts = await sys.query<{ released: string; reserved: string; n: string }>(
      `SELECT count(*) AS n, sum(released_cents) AS released, sum(reserved_cents) AS reserved FROM disbursements.funding_accounts`,
    );
    expect(Number(accounts[0].n)).toBe(PROGRAMS);
    expect(Number(accounts[0].released)).toBe(PROGRAMS * 1_000_000);
    expect(Number(accounts[0].reserved)).toBe(0);
    const completed = await sys.query<{ n: string }>(`SELECT count(*) AS n FROM assessments.points WHERE status = 'COMPLETED'`);
    expect(Number(completed[0].n)).toBe(PROGRAMS);

    // Every event of every source reached the ledger exactly once, and every subscriber's inbox.
    await eventually(async () => {
      const [{ outbox }] = await sys.query<{ outbox: string }>(
        `SELECT ${SERVICES.map((s) => `(SELECT count(*) FROM ${s}.outbox)`).join(' + ')} AS outbox`,
      );
      const [{ ledger, distinct }] = await sys.query<{ ledger: string; distinct: string }>(
        `SELECT count(*) AS ledger, count(DISTINCT event_id) AS distinct FROM audit.ledger`,
      );
      expect(ledger).toBe(outbox);
      expect(distinct).toBe(ledger);
    }, 120_000, 500);
    const [{ missing }] = await sys.query<{ missing: string }>(
      `SELECT count(*) AS missing FROM proposals.outbox o
       WHERE o.type IN ('program.submitted', 'program.withdrawn') AND NOT EXISTS (SELECT 1 FROM reviews.inbox i WHERE i.event_id = o.event_id)`,
    );
    expect(missing).toBe('0');

    const verify = await driver.call('audit', 'GET', '/audit/verify', sys.token(people.auditor));
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ valid: true, firstInvalidSeq: null, gaps: [] });
    expect(ids).toHaveLength(PROGRAMS);
  }, 900_000);
});
