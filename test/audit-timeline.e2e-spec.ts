import { existsSync } from 'node:fs';
import { SERVICES, type ServiceName } from '#libs/contracts';
import { TestSystem } from './support/test-system.js';
import { people } from './support/fixtures.js';
import { ProgramFlow } from './support/program-flow.js';

/** Every service built so far takes part; the timeline must hold the events of each of them. */
const running = SERVICES.filter((s) => existsSync(new URL(`../apps/${s}/src/${s}.service.ts`, import.meta.url)));
const has = (service: ServiceName) => running.includes(service);

interface Entry {
  seq: number;
  type: string;
  source: ServiceName;
  payload: { programId?: string };
}

describe(`audit timeline: one program across ${running.join(', ')}`, () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start({ services: running });
  });
  afterAll(() => sys?.stop());

  it('holds the events of every service about the program, in ledger order', async () => {
    const flow = new ProgramFlow(sys);
    const { id: programId } = await flow.create();
    // A refused request about the program belongs in its timeline too.
    await sys.http('proposals').post(`/programs/${programId}/close`).set(sys.auth(people.reviewer)).send({ reason: 'not mine' }).expect(403);
    const expected = ['program.drafted', 'program.submitted', 'access.denied'];

    if (has('reviews')) {
      await flow.approve(programId);
      expected.push('review.opened', 'program.under-review', 'review.completed', 'program.approved');
    } else {
      await flow.submit(programId);
    }
    if (has('disbursements') && has('reviews')) {
      await sys.eventually(() => sys.http('disbursements').get(`/funding-accounts/${programId}`).set(sys.auth(people.auditor)).expect(200));
      await sys
        .http('disbursements')
        .post('/disbursements')
        .set(sys.auth(people.manager))
        .send({ programId, amountCents: 1_000_000, purpose: 'Training centre equipment' })
        .expect(201);
      expected.push('funding.account-opened', 'disbursement.requested');
    }
    if (has('assessments') && has('reviews')) {
      await sys.eventually(() => sys.http('assessments').get(`/assessments/plans/${programId}`).set(sys.auth(people.auditor)).expect(200));
      expected.push('assessment.scheduled');
    }

    const timeline = await sys.eventually(async () => {
      const res = await sys.http('audit').get(`/audit/programs/${programId}/timeline`).set(sys.auth(people.auditor)).expect(200);
      const items = res.body.items as Entry[];
      expect(items.map((e) => e.type)).toEqual(expect.arrayContaining(expected));
      expect(new Set(items.map((e) => e.source))).toEqual(new Set(running.filter((s) => s !== 'audit')));
      return items;
    }, 20_000);

    const seqs = timeline.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const types = timeline.map((e) => e.type);
    expect(types.indexOf('program.drafted')).toBeLessThan(types.indexOf('program.submitted'));
    if (has('reviews')) expect(types.indexOf('review.completed')).toBeLessThan(types.indexOf('program.approved'));
    // Only this program's entries: by payload, or the program aggregate itself.
    expect(timeline.every((e) => e.payload.programId === programId || e.type.startsWith('program.'))).toBe(true);

    // The same entries by the ledger's filter, listed and exported: a program's evidence in one file.
    const audit = () => sys.http('audit');
    await sys.eventually(async () => {
      const whole = (await audit().get(`/audit/programs/${programId}/timeline`).set(sys.auth(people.auditor)).expect(200)).body.items as Entry[];
      const listed = (await audit().get('/audit/events').query({ programId, limit: 500 }).set(sys.auth(people.auditor)).expect(200)).body.items as Entry[];
      const exported = await audit().get('/audit/export').query({ programId }).set(sys.auth(people.auditor)).buffer(true).expect(200);
      const lines = exported.text.trimEnd().split('\n').map((line) => JSON.parse(line) as Entry);
      expect(listed).toEqual(whole);
      expect(lines).toEqual(whole);
    });
    expect((await audit().get('/audit/export').query({ programId: 'not-a-program' }).set(sys.auth(people.auditor)).expect(400)).body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'programId' }],
    });
  });
});
