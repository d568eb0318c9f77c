import request from 'supertest';
import { ChangeSignals } from '#libs/common';
import { createService } from '#libs/platform';
import { ProgramFlow } from './support/program-flow.js';
import { loadServiceDefinition } from './support/services.js';
import { people } from './support/fixtures.js';
import { TestSystem } from './support/test-system.js';

/** GETs held until the resource changes (Prefer: wait with If-None-Match, or a 404 until it exists). */
describe('held reads (Prefer: wait)', () => {
  let sys: TestSystem;
  let flow: ProgramFlow;
  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['proposals', 'reviews', 'disbursements'] });
    flow = new ProgramFlow(sys);
  });
  afterAll(() => sys?.stop());

  const read = (path: string, headers: Record<string, string> = {}) =>
    sys.http('proposals').get(path).set(sys.auth(people.manager)).set(headers);

  it('tags every JSON answer, and answers 304 to a matching If-None-Match at once without Prefer', async () => {
    const program = await flow.create();
    const first = await read(`/programs/${program.id}`).expect(200);
    expect(first.headers.etag).toMatch(/^W\/"[\w-]+"$/);
    const again = await read(`/programs/${program.id}`, { 'If-None-Match': first.headers.etag }).expect(304);
    expect(again.headers['preference-applied']).toBeUndefined();
  });

  it('holds a GET for the version the client has until a command changes it', async () => {
    const program = await flow.create();
    const { headers } = await read(`/programs/${program.id}`).expect(200);
    const started = Date.now();
    const held = read(`/programs/${program.id}`, { Prefer: 'wait=10', 'If-None-Match': headers.etag });
    setTimeout(() => void flow.submit(program.id), 300);
    const changed = await held.expect(200);
    expect(changed.body.status).not.toBe('DRAFT');
    expect(changed.headers['preference-applied']).toBe('wait=10');
    expect(changed.headers.etag).not.toBe(headers.etag);
    // Answered when the change committed (signalled), not at the end of the wait.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('wakes a GET held on another replica when this one commits the change', async () => {
    const replica = await createService(await loadServiceDefinition('proposals'), sys.config('proposals'));
    await replica.init();
    try {
      const program = await flow.create();
      const { headers } = await read(`/programs/${program.id}`).expect(200);
      const held = request(replica.getHttpServer())
        .get(`/programs/${program.id}`)
        .set(sys.auth(people.manager))
        .set({ Prefer: 'wait=10', 'If-None-Match': headers.etag })
        .then((res) => res);
      await new Promise((r) => setTimeout(r, 200));
      const submittedAt = Date.now();
      await flow.submit(program.id);
      const changed = await held;
      expect(changed.status).toBe(200);
      expect(changed.body.status).not.toBe('DRAFT');
      // Well before the held read's own recheck (2 s): woken by the commit's NOTIFY.
      expect(Date.now() - submittedAt).toBeLessThan(1_500);
    } finally {
      await replica.close();
    }
  });

  it('stops holding a GET whose client has gone', async () => {
    const program = await flow.create();
    const { headers } = await read(`/programs/${program.id}`).expect(200);
    const signals = sys.app('proposals').get(ChangeSignals);
    const held = read(`/programs/${program.id}`, { Prefer: 'wait=20', 'If-None-Match': headers.etag });
    held.then(
      () => undefined,
      () => undefined,
    );
    await sys.eventually(async () => expect(signals.size).toBe(1));
    held.abort();
    // Its next read (the 2 s recheck) finds the socket closed and waits no more.
    await sys.eventually(async () => expect(signals.size).toBe(0), 5_000);
  });

  it('answers 304 when nothing changed within the wait', async () => {
    const program = await flow.create();
    const { headers } = await read(`/programs/${program.id}`).expect(200);
    const started = Date.now();
    await read(`/programs/${program.id}`, { Prefer: 'wait=1', 'If-None-Match': headers.etag }).expect(304);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('holds a 404 until the resource exists, across services', async () => {
    const program = await flow.create();
    // Sent (then() starts a supertest request) before the program is even submitted.
    const held = sys
      .http('disbursements')
      .get(`/funding-accounts/${program.id}`)
      .set(sys.auth(people.manager))
      .set({ Prefer: 'wait=20' })
      .then((res) => res);
    await flow.approve(program.id);
    const account = await held;
    expect(account.status).toBe(200);
    expect(account.body.programId).toBe(program.id);
  });

  it('answers 404 when the resource does not appear within the wait', async () => {
    const started = Date.now();
    const res = await read('/programs/00000000-0000-7000-8000-00000000f00d', { Prefer: 'wait=1' }).expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('ignores a malformed or absent wait and caps a long one', async () => {
    const program = await flow.create();
    const { headers } = await read(`/programs/${program.id}`).expect(200);
    for (const prefer of ['wait=soon', 'wait=-1', 'respond-async']) {
      const started = Date.now();
      const res = await read(`/programs/${program.id}`, { Prefer: prefer, 'If-None-Match': headers.etag }).expect(304);
      expect(res.headers['preference-applied']).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(900);
    }
    const capped = read(`/programs/${program.id}`, { Prefer: 'wait=86400', 'If-None-Match': headers.etag });
    setTimeout(() => void flow.submit(program.id), 100);
    expect((await capped.expect(200)).headers['preference-applied']).toBe('wait=20');
  });
});
