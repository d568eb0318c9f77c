import { TestSystem } from './support/test-system.js';
import { people, programBody } from './support/fixtures.js';

describe('vertical slice: submit a program, reviews opens a review, proposals moves it to UNDER_REVIEW', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['proposals', 'reviews', 'audit'] });
  });
  afterAll(() => sys?.stop());

  it('moves the program to UNDER_REVIEW through real queues and records every event in audit', async () => {
    const created = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody()).expect(201);
    expect(created.body).toMatchObject({ status: 'DRAFT', version: 1 });
    const id = created.body.id as string;
    const submitted = await sys
      .http('proposals')
      .post(`/programs/${id}/submit`)
      .set(sys.auth(people.manager))
      .set('X-Correlation-Id', 'slice-test-1')
      .expect(200);
    expect(submitted.body.status).toBe('SUBMITTED');
    expect(submitted.headers['x-correlation-id']).toBe('slice-test-1');

    const program = await sys.eventually(async () => {
      const res = await sys.http('proposals').get(`/programs/${id}`).set(sys.auth(people.reviewer)).expect(200);
      expect(res.body.status).toBe('UNDER_REVIEW');
      return res.body;
    });
    expect(program.statusHistory.map((h: { status: string }) => h.status)).toEqual(['DRAFT', 'SUBMITTED', 'UNDER_REVIEW']);

    const types = await sys.eventually(async () => {
      const rows = await sys.query<{ type: string; correlation_id: string }>(
        `SELECT type, correlation_id FROM audit.ledger WHERE program_id = $1 ORDER BY seq`,
        [id],
      );
      expect(rows.map((r) => r.type)).toEqual(['program.drafted', 'program.submitted', 'review.opened', 'program.under-review']);
      return rows;
    });
    expect(types.slice(1).every((r) => r.correlation_id === 'slice-test-1')).toBe(true);
  });
});
