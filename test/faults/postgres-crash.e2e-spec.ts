import { PrivatePostgres } from '../support/private-servers.js';
import { TestSystem } from '../support/test-system.js';
import { people, programBody } from '../support/fixtures.js';
import { pool, sleep } from '../support/load.js';

/**
 * Postgres (a private cluster on a spare port) is SIGKILLed under load and started again. No command
 * answered 2xx is lost, no transition is half-applied, services recover without a restart, and
 * /health/ready answers 503 while it is down.
 */
describe('Postgres killed under load', () => {
  let postgres: PrivatePostgres;
  let sys: TestSystem;
  beforeAll(async () => {
    postgres = await PrivatePostgres.start();
    sys = await TestSystem.start({ services: ['proposals', 'reviews', 'audit'], adminUrl: postgres.adminUrl });
  }, 60_000);
  afterAll(async () => {
    await sys?.stop().catch(() => undefined);
    await postgres?.stop();
  });

  it('keeps every acknowledged command and applies every transition whole', async () => {
    const acknowledged: Array<{ id: string; submitted: boolean }> = [];
    const statuses = new Set<number>();
    let downSeen = false;
    const load = pool(150, 6, async (i) => {
      const created = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody({ title: `Program ${i}` }));
      statuses.add(created.status);
      // While Postgres is down a command may be refused (503), but never acknowledged and lost.
      if (created.status !== 201) return;
      const entry = { id: created.body.id as string, submitted: false };
      acknowledged.push(entry);
      const submitted = await sys.http('proposals').post(`/programs/${entry.id}/submit`).set(sys.auth(people.manager));
      statuses.add(submitted.status);
      entry.submitted = submitted.status === 200;
    });
    await sleep(1500);
    await postgres.kill();
    const ready = await sys.http('proposals').get('/health/ready');
    downSeen = ready.status === 503;
    await sleep(2000);
    await postgres.start();
    await load;
    expect(downSeen).toBe(true);
    // Refused while down with a retryable 503, never a 500.
    expect([...statuses].filter((s) => ![200, 201, 503].includes(s))).toEqual([]);

    await sys.eventually(async () => {
      await sys.http('proposals').get('/health/ready').expect(200);
    }, 30_000);
    // Every acknowledged creation exists; every acknowledged submission went on to UNDER_REVIEW.
    await sys.eventually(async () => {
      const rows = await sys.query<{ id: string; status: string }>(`SELECT id, status FROM proposals.programs`);
      const status = new Map(rows.map((r) => [r.id, r.status]));
      for (const a of acknowledged) {
        expect(status.has(a.id)).toBe(true);
        if (a.submitted) expect(status.get(a.id)).toBe('UNDER_REVIEW');
      }
    }, 60_000);
    // No half-applied transition: each program's state, version and events agree.
    const programs = await sys.query<{ id: string; version: number; status: string; n: string }>(
      `SELECT p.id, p.version, p.status, (SELECT count(*) FROM proposals.outbox o
         WHERE o.envelope->'payload'->>'programId' = p.id::text AND o.type LIKE 'program.%') AS n
       FROM proposals.programs p`,
    );
    for (const p of programs) expect(Number(p.n)).toBe(p.version);
    expect(acknowledged.length).toBeGreaterThan(0);
  }, 120_000);
});
