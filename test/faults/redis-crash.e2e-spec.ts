import { PrivateRedis } from '../support/private-servers.js';
import { TestSystem } from '../support/test-system.js';
import { people, programBody } from '../support/fixtures.js';
import { pool, sleep } from '../support/load.js';

/**
 * Redis (with AOF, appendfsync everysec) is SIGKILLed while programs are submitted, then started
 * again: without restarting any service, every event reaches every subscriber, once in effect.
 */
describe('Redis killed under load', () => {
  let redis: PrivateRedis;
  let sys: TestSystem;
  beforeAll(async () => {
    redis = await PrivateRedis.start({ aof: true });
    sys = await TestSystem.start({ services: ['proposals', 'reviews', 'audit'], config: { redisUrl: redis.url } });
  });
  afterAll(async () => {
    await sys?.stop();
    await redis?.stop();
  });

  it('delivers every event to every subscriber within 60 s, exactly once in effect', async () => {
    const count = 120;
    let killed = false;
    const ids = await pool(count, 8, async (i) => {
      if (i === count / 3 && !killed) {
        killed = true;
        void (async () => {
          await redis.kill();
          await sleep(1500);
          await redis.start();
        })();
      }
      const created = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody({ title: `Program ${i}` }));
      expect(created.status).toBe(201);
      const submitted = await sys.http('proposals').post(`/programs/${created.body.id}/submit`).set(sys.auth(people.manager));
      expect(submitted.status).toBe(200);
      return created.body.id as string;
    });
    expect(killed).toBe(true);

    await sys.eventually(async () => {
      const [{ n }] = await sys.query<{ n: string }>(`SELECT count(*) AS n FROM proposals.programs WHERE status = 'UNDER_REVIEW'`);
      expect(Number(n)).toBe(count);
    }, 60_000);
    const reviews = await sys.query<{ n: string }>(`SELECT program_id, count(*) AS n FROM reviews.reviews GROUP BY program_id`);
    expect(reviews).toHaveLength(count);
    expect(reviews.every((r) => r.n === '1')).toBe(true);

    // Audit holds every event of both sources once, with no gap in either source's sequence.
    await sys.eventually(async () => {
      const outboxes = await sys.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM proposals.outbox) + (SELECT count(*) FROM reviews.outbox) AS n`,
      );
      const ledger = await sys.query<{ n: string; distinct_events: string }>(
        `SELECT count(*) AS n, count(DISTINCT event_id) AS distinct_events FROM audit.ledger WHERE source IN ('proposals', 'reviews')`,
      );
      expect(ledger[0].n).toBe(outboxes[0].n);
      expect(ledger[0].distinct_events).toBe(ledger[0].n);
    }, 60_000);
    const gaps = await sys.query(
      `SELECT source, source_seq FROM (
         SELECT source, source_seq, lag(source_seq) OVER (PARTITION BY source ORDER BY source_seq) AS prev FROM audit.ledger
       ) s WHERE prev IS NOT NULL AND source_seq <> prev + 1`,
    );
    expect(gaps).toEqual([]);
    expect(ids).toHaveLength(count);
  });
});
