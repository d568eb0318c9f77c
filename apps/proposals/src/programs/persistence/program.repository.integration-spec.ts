import { jest } from '@jest/globals';
import { Outbox } from '#libs/messaging';
import { TestSystem } from '../../../../../test/support/test-system.js';
import { people, programBody } from '../../../../../test/support/fixtures.js';
import { ProgramRepository } from './program.repository.js';

/** Saving a program (AggregateStore): one statement per save, compare and set on its version. */
describe('ProgramRepository: optimistic changes', () => {
  let sys: TestSystem;
  let programs: ProgramRepository;
  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['proposals'] });
    programs = sys.app('proposals').get(ProgramRepository);
  });
  afterAll(() => sys?.stop());

  async function draft(): Promise<string> {
    const res = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody()).expect(201);
    return res.body.id as string;
  }

  const events = (programId: string) =>
    sys.query<{ type: string; version: number }>(
      `SELECT type, (envelope->>'aggregateVersion')::int AS version FROM proposals.outbox WHERE envelope->>'aggregateId' = $1 ORDER BY id`,
      [programId],
    );

  it('applies changes racing on one program one after another: each on the version the previous left, each with its event', async () => {
    const id = await draft();
    const titles = ['First racing title', 'Second racing title', 'Third racing title', 'Fourth racing title'];

    await Promise.all(titles.map((title) => programs.change(id, (p) => p.revise({ title }, p.version, { id: people.manager.sub }, new Date()))));

    const revised = (await events(id)).filter((e) => e.type === 'program.revised');
    expect(revised.map((e) => e.version)).toEqual([2, 3, 4, 5]);
    const [row] = await sys.query<{ version: number; title: string }>(`SELECT version, title FROM proposals.programs WHERE id = $1`, [id]);
    expect(row.version).toBe(5);
    expect(titles).toContain(row.title);
  });

  it('answers 409 CONCURRENT_CHANGE when every attempt loses to another writer, and writes none of its events', async () => {
    const id = await draft();
    const outbox = sys.app('proposals').get(Outbox);
    const save = outbox.updateAndAppend.bind(outbox);
    // Another writer commits between each read and write.
    const racing = jest.spyOn(outbox, 'updateAndAppend').mockImplementation(async (...args) => {
      await sys.query(`UPDATE proposals.programs SET version = version + 1 WHERE id = $1`, [id]);
      return save(...args);
    });
    try {
      await expect(programs.change(id, (p) => p.submit({ id: people.manager.sub }, new Date()))).rejects.toMatchObject({
        code: 'CONCURRENT_CHANGE',
        statusCode: 409,
      });
    } finally {
      racing.mockRestore();
    }
    expect((await events(id)).map((e) => e.type)).toEqual(['program.drafted']);
    const [row] = await sys.query<{ status: string; version: number }>(`SELECT status, version FROM proposals.programs WHERE id = $1`, [id]);
    expect(row).toEqual({ status: 'DRAFT', version: 1 + 5 });
  });
});
