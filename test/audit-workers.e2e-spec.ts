import { Queue } from 'bullmq';
import { eventQueueName } from '#libs/contracts';
import { TEST_REDIS_URL } from '#libs/testing';
import { AUDIT_WORKERS } from '../apps/audit/src/ledger/commands/record-event.command.js';
import { TestSystem } from './support/test-system.js';
import { people, programBody } from './support/fixtures.js';

describe('audit consumes with several workers of a few slots each', () => {
  let sys: TestSystem;
  let queue: Queue;

  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['proposals', 'audit'] });
    queue = new Queue(eventQueueName('audit'), { connection: { url: TEST_REDIS_URL }, prefix: sys.redisPrefix });
  });
  afterAll(async () => {
    await queue?.close();
    await sys?.stop();
  });

  it('runs them all on its queue, records through them, and closes every one when it stops', async () => {
    expect(AUDIT_WORKERS).toBeGreaterThan(1);
    await sys.eventually(async () => expect(await queue.getWorkersCount()).toBe(AUDIT_WORKERS));

    // Enough events at once that more than one worker takes some; each is recorded once.
    await Promise.all(
      Array.from({ length: 20 }, () => sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody()).expect(201)),
    );
    await sys.eventually(async () => {
      const [row] = await sys.query<{ ledger: string; distinct_events: string; outbox: string }>(
        `SELECT (SELECT count(*) FROM audit.ledger WHERE source = 'proposals') AS ledger,
                (SELECT count(DISTINCT event_id) FROM audit.ledger WHERE source = 'proposals') AS distinct_events,
                (SELECT count(*) FROM proposals.outbox) AS outbox`,
      );
      expect(Number(row.ledger)).toBe(Number(row.outbox));
      expect(Number(row.distinct_events)).toBe(Number(row.outbox));
    });

    await sys.stopService('audit');
    expect(await queue.getWorkersCount()).toBe(0);
  });
});
