import { PrivateRedis } from './support/private-servers.js';
import { TestSystem } from './support/test-system.js';
import { people, programBody } from './support/fixtures.js';

/** Commands keep working while Redis is down: the outbox holds their events until it is back. */
describe('Redis outage', () => {
  let redis: PrivateRedis;
  let sys: TestSystem;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    sys = await TestSystem.start({ services: ['proposals', 'reviews'], config: { redisUrl: redis.url } });
  });
  afterAll(async () => {
    await sys?.stop();
    await redis?.stop();
  });

  it('answers a command while Redis is stopped and delivers its event once Redis is back', async () => {
    const created = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody()).expect(201);
    await redis.kill();
    await sys.http('proposals').get('/health/ready').expect(503);

    const submitted = await sys.http('proposals').post(`/programs/${created.body.id}/submit`).set(sys.auth(people.manager));
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('SUBMITTED');
    const [pending] = await sys.query<{ published_at: Date | null }>(
      `SELECT published_at FROM proposals.outbox WHERE type = 'program.submitted'`,
    );
    expect(pending.published_at).toBeNull();

    await redis.start();
    await sys.eventually(async () => {
      const res = await sys.http('proposals').get(`/programs/${created.body.id}`).set(sys.auth(people.manager)).expect(200);
      expect(res.body.status).toBe('UNDER_REVIEW');
    }, 30_000);
    const reviews = await sys.query(`SELECT id FROM reviews.reviews WHERE program_id = $1`, [created.body.id]);
    expect(reviews).toHaveLength(1);
    await sys.http('proposals').get('/health/ready').expect(200);
  });
});
