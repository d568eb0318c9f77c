import { TestSystem } from './support/test-system.js';
import { people, programBody } from './support/fixtures.js';
import { ProgramFlow, RATIONALE } from './support/program-flow.js';

describe('programs: lifecycle, revisions, commands and lists through HTTP and the real review flow', () => {
  let sys: TestSystem;
  let flow: ProgramFlow;
  const proposals = () => sys.http('proposals');

  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['proposals', 'reviews', 'audit'] });
    flow = new ProgramFlow(sys);
  });
  afterAll(() => sys?.stop());

  it('goes DRAFT → SUBMITTED → UNDER_REVIEW → REVISION_REQUESTED → revised → SUBMITTED → UNDER_REVIEW → APPROVED, with two review rounds', async () => {
    const { id } = await flow.create();
    const first = await flow.submitAndAwaitReview(id);
    expect(first.program.round).toBe(1);
    await flow.conclude(first.reviewId, 'REQUEST_REVISION');
    const toRevise = await flow.waitForStatus(id, 'REVISION_REQUESTED');

    const revised = await proposals()
      .patch(`/programs/${id}`)
      .set(sys.auth(people.manager))
      .send({ expectedVersion: toRevise.version, summary: 'Revised: adds a placement follow-up after six months.' })
      .expect(200);
    expect(revised.body).toMatchObject({ status: 'REVISION_REQUESTED', version: toRevise.version + 1 });
    expect(revised.body.summary).toBe('Revised: adds a placement follow-up after six months.');

    const second = await flow.submitAndAwaitReview(id);
    expect(second.program.round).toBe(2);
    expect(second.reviewId).not.toBe(first.reviewId);
    await flow.conclude(second.reviewId, 'APPROVE');
    const approved = await flow.waitForStatus(id, 'APPROVED');
    expect(approved.statusHistory.map((h) => h.status)).toEqual([
      'DRAFT',
      'SUBMITTED',
      'UNDER_REVIEW',
      'REVISION_REQUESTED',
      'SUBMITTED',
      'UNDER_REVIEW',
      'APPROVED',
    ]);
    // The system moved the program; the history also names whose decision it carried out, with the
    // name the reviewer's token gave, carried by review.completed's actor.
    expect(approved.statusHistory.at(-1)).toMatchObject({ by: 'system:proposals', decidedBy: people.reviewer.sub, decidedByName: people.reviewer.name });
    expect(approved.statusHistory[0]).toMatchObject({ status: 'DRAFT', by: people.manager.sub, byName: people.manager.name });
    expect(approved).toMatchObject({ createdBy: people.manager.sub, createdByName: people.manager.name });
    expect(approved.statusHistory[3]).toMatchObject({ status: 'REVISION_REQUESTED', decidedBy: people.reviewer.sub });

    const reviews = await sys.http('reviews').get(`/reviews?programId=${id}`).set(sys.auth(people.auditor)).expect(200);
    const rounds = reviews.body.items.map((r: { round: number; outcome: string; status: string }) => [r.round, r.status, r.outcome]);
    expect(rounds.sort()).toEqual([
      [1, 'COMPLETED', 'REVISION_REQUESTED'],
      [2, 'COMPLETED', 'APPROVED'],
    ]);
    // The second round reviewed the revised text, not the first submission.
    const round2 = reviews.body.items.find((r: { round: number }) => r.round === 2);
    expect(round2.snapshot.summary).toBe('Revised: adds a placement follow-up after six months.');

    const types = await sys.eventually(async () => {
      const rows = await sys.query<{ type: string }>(`SELECT type FROM audit.ledger WHERE program_id = $1 ORDER BY seq`, [id]);
      expect(rows.map((r) => r.type)).toContain('program.approved');
      return rows.map((r) => r.type);
    });
    for (const type of ['program.drafted', 'program.revised', 'program.revision-requested', 'review.completed']) {
      expect(types).toContain(type);
    }
    expect(types.filter((t) => t === 'program.submitted')).toHaveLength(2);
    expect(types.filter((t) => t === 'review.opened')).toHaveLength(2);
  });

  describe('revisions', () => {
    it('refuses a stale expectedVersion with 409 STALE_VERSION and keeps the program as it was', async () => {
      const { id, version } = await flow.create();
      await proposals().patch(`/programs/${id}`).set(sys.auth(people.manager)).send({ expectedVersion: version, title: 'First edit title' }).expect(200);
      const stale = await proposals()
        .patch(`/programs/${id}`)
        .set(sys.auth(people.manager))
        .send({ expectedVersion: version, title: 'Edit from an old copy' })
        .expect(409);
      expect(stale.body).toMatchObject({ code: 'STALE_VERSION', details: { expectedVersion: version, currentVersion: version + 1 } });
      const now = await flow.get(id);
      expect(now).toMatchObject({ title: 'First edit title', version: version + 1 });
    });

    it('lets only the creator revise (403) and refuses edits outside DRAFT and REVISION_REQUESTED (409 INVALID_TRANSITION)', async () => {
      const draft = await flow.create();
      const other = await proposals()
        .patch(`/programs/${draft.id}`)
        .set(sys.auth(people.manager2))
        .send({ expectedVersion: draft.version, title: 'Not my program' })
        .expect(403);
      expect(other.body).toMatchObject({ code: 'FORBIDDEN', details: { programId: draft.id } });

      const { id } = await flow.underReview();
      const current = await flow.get(id);
      const res = await proposals()
        .patch(`/programs/${id}`)
        .set(sys.auth(people.manager))
        .send({ expectedVersion: current.version, title: 'Edited under review' })
        .expect(409);
      expect(res.body.code).toBe('INVALID_TRANSITION');
      expect(await flow.get(id)).toMatchObject({ title: current.title, version: current.version });
    });

    it('accepts a revision that changes nothing without a new version', async () => {
      const { id, version, title } = await flow.create();
      const res = await proposals().patch(`/programs/${id}`).set(sys.auth(people.manager)).send({ expectedVersion: version, title }).expect(200);
      expect(res.body.version).toBe(version);
    });
  });

  describe('bad input is a 400 VALIDATION_FAILED naming the field, and nothing is written', () => {
    const count = async () => Number((await sys.query<{ n: string }>(`SELECT count(*) AS n FROM proposals.programs`))[0].n);
    const outbox = async () => Number((await sys.query<{ n: string }>(`SELECT count(*) AS n FROM proposals.outbox`))[0].n);
    const fields = (body: { details: Array<{ field: string }> }) => body.details.map((d) => d.field);

    it.each([
      ['an unknown field', { colour: 'blue' }, 'colour'],
      ['a wrong type', { budgetCents: '250000000' }, 'budgetCents'],
      ['an out-of-range value', { assessmentCadenceDays: 400 }, 'assessmentCadenceDays'],
      ['a fractional amount', { budgetCents: 12.5 }, 'budgetCents'],
      ['an unsafe integer', { budgetCents: 2 ** 60 }, 'budgetCents'],
      ['a nested wrong type', { implementingPartner: { name: 'Fundación X', country: 'MX' } }, 'implementingPartner.country'],
      ['an impossible date', { startDate: '2027-02-30' }, 'startDate'],
    ])('on create: %s', async (_what, override, field) => {
      const [programs, events] = [await count(), await outbox()];
      const res = await proposals().post('/programs').set(sys.auth(people.manager)).send(programBody(override)).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(fields(res.body)).toContain(field);
      expect([await count(), await outbox()]).toEqual([programs, events]);
    });

    it.each([
      ['an unknown field', { colour: 'blue' }, 'colour'],
      ['a wrong type', { title: 42 }, 'title'],
      ['a null for a required field', { objectives: null }, 'objectives'],
      ['an out-of-range value', { budgetCents: 0 }, 'budgetCents'],
      ['a missing expectedVersion', { expectedVersion: undefined }, 'expectedVersion'],
      ['a string expectedVersion', { expectedVersion: '1' }, 'expectedVersion'],
    ])('on revise: %s', async (_what, override, field) => {
      const { id, version } = await flow.create();
      const events = await outbox();
      const res = await proposals()
        .patch(`/programs/${id}`)
        .set(sys.auth(people.manager))
        .send({ expectedVersion: version, title: 'A valid new title', ...override })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(fields(res.body)).toContain(field);
      expect(await flow.get(id)).toMatchObject({ version, title: 'Youth employment in the Western Highlands' });
      expect(await outbox()).toBe(events);
    });

    it.each([
      ['a missing reason', {}, 'reason'],
      ['a blank reason', { reason: '   ' }, 'reason'],
      ['a reason too long', { reason: 'x'.repeat(2001) }, 'reason'],
      ['an unknown field', { reason: 'Partner withdrew', force: true }, 'force'],
    ])('on withdraw: %s', async (_what, body, field) => {
      const { id, version } = await flow.create();
      const res = await proposals().post(`/programs/${id}/withdraw`).set(sys.auth(people.manager)).send(body).expect(400);
      expect(fields(res.body)).toContain(field);
      expect(await flow.get(id)).toMatchObject({ status: 'DRAFT', version });
    });

    it('answers 400 for a path id that is not a uuid and 404 for an unknown program', async () => {
      const bad = await proposals().get('/programs/not-a-uuid').set(sys.auth(people.auditor)).expect(400);
      expect(fields(bad.body)).toEqual(['id']);
      const missing = await proposals().get('/programs/01890f3e-0000-7000-8000-000000000999').set(sys.auth(people.auditor)).expect(404);
      expect(missing.body.code).toBe('NOT_FOUND');
    });
  });

  describe('withdraw, suspend, reinstate, close and assessment outcomes', () => {
    it('withdraws a program under review and cancels its open review', async () => {
      const { id, reviewId } = await flow.underReview();
      const res = await proposals()
        .post(`/programs/${id}/withdraw`)
        .set(sys.auth(people.manager))
        .send({ reason: 'The partner merged with another organisation.' })
        .expect(200);
      expect(res.body.status).toBe('WITHDRAWN');
      expect(res.body.statusHistory.at(-1)).toMatchObject({ status: 'WITHDRAWN', by: people.manager.sub, reason: 'The partner merged with another organisation.' });
      await sys.eventually(async () => {
        const review = await sys.http('reviews').get(`/reviews/${reviewId}`).set(sys.auth(people.reviewer)).expect(200);
        expect(review.body.status).toBe('CANCELLED');
      });
      const late = await flow.decide(reviewId, people.reviewer, 'APPROVE', RATIONALE).expect(409);
      expect(late.body.code).toBe('INVALID_TRANSITION');
    });

    it('suspends, reinstates and closes an approved program, recording who and why', async () => {
      const { id } = await flow.driveTo('APPROVED');
      await flow.command(id, 'suspend', 'Audit found unexplained payments.');
      const reinstated = await flow.command(id, 'reinstate', 'Payments explained and documented.');
      expect(reinstated.status).toBe('APPROVED');
      const closed = await flow.command(id, 'close', 'All activities completed and reported.');
      expect(closed.status).toBe('CLOSED');
      expect(closed.statusHistory.slice(-3)).toEqual([
        expect.objectContaining({ status: 'SUSPENDED', by: people.reviewer.sub, reason: 'Audit found unexplained payments.' }),
        expect.objectContaining({ status: 'APPROVED', by: people.reviewer.sub, reason: 'Payments explained and documented.' }),
        expect.objectContaining({ status: 'CLOSED', by: people.manager.sub, reason: 'All activities completed and reported.' }),
      ]);
      const types = await sys.eventually(async () => {
        const rows = await sys.query<{ type: string }>(`SELECT type FROM audit.ledger WHERE program_id = $1 ORDER BY seq`, [id]);
        expect(rows.map((r) => r.type)).toContain('program.closed');
        return rows.map((r) => r.type);
      });
      expect(types.slice(-3)).toEqual(['program.suspended', 'program.reinstated', 'program.closed']);
    });

    it('discontinues an approved or suspended program on an assessment outcome DISCONTINUE, naming the assessment', async () => {
      const approved = await flow.driveTo('APPROVED');
      const suspended = await flow.driveTo('SUSPENDED');
      await flow.discontinue(approved.id);
      await flow.discontinue(suspended.id);
      for (const { id } of [approved, suspended]) {
        const program = await flow.waitForStatus(id, 'DISCONTINUED');
        expect(program.statusHistory.at(-1)).toMatchObject({ status: 'DISCONTINUED', by: 'system:proposals', decidedBy: people.reviewer.sub });
        expect(program.statusHistory.at(-1)?.reason).toMatch(/^Assessment [0-9a-f-]{36} outcome DISCONTINUE: /);
      }
      const events = await sys.query<{ payload: { assessmentId: string | null } }>(
        `SELECT envelope->'payload' AS payload FROM proposals.outbox
         WHERE type = 'program.discontinued' AND envelope->'payload'->>'programId' = ANY($1)`,
        [[approved.id, suspended.id]],
      );
      expect(events).toHaveLength(2);
      for (const event of events) expect(event.payload.assessmentId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('leaves the program as it is on CONTINUE, STRENGTHEN and ADJUST, and on a DISCONTINUE for a closed program', async () => {
      const approved = await flow.driveTo('APPROVED');
      const closed = await flow.driveTo('CLOSED');
      const ids = [
        await flow.discontinue(approved.id, 'CONTINUE'),
        await flow.discontinue(approved.id, 'STRENGTHEN'),
        await flow.discontinue(approved.id, 'ADJUST'),
        await flow.discontinue(closed.id, 'DISCONTINUE'),
      ];
      // Each event has been applied (its inbox row exists) and changed nothing.
      await sys.eventually(async () => {
        const rows = await sys.query(`SELECT 1 FROM proposals.inbox WHERE event_id = ANY($1::uuid[])`, [ids]);
        expect(rows).toHaveLength(ids.length);
      });
      expect(await flow.get(approved.id)).toMatchObject({ status: 'APPROVED', version: approved.version });
      expect((await flow.get(closed.id)).status).toBe('CLOSED');
    });
  });

  describe('GET /programs', () => {
    it('filters by status, country, pillar and title words, and pages with a cursor', async () => {
      const tag = `Zq${Date.now().toString(36)}`;
      const made = [];
      for (const [i, country, pillar] of [
        [1, 'HN', 'IV'],
        [2, 'HN', 'IV'],
        [3, 'SV', 'IV'],
        [4, 'HN', 'II'],
      ] as const) {
        // The third is another grant manager's.
        made.push(await flow.create({ title: `Program ${tag} 100% number ${i}`, country, pillar, targetAreas: ['Yoro'] }, i === 3 ? people.manager2 : people.manager));
      }
      await flow.command(made[1].id, 'withdraw', 'Duplicate of another proposal.');
      const list = (query: string) =>
        proposals().get(`/programs?${query}`).set(sys.auth(people.approver)).expect(200).then((r) => r.body);
      const titles = (body: { items: Array<{ title: string }> }) => body.items.map((p) => p.title.split(' ').at(-1));

      expect(titles(await list(`q=${tag.toLowerCase()}`))).toEqual(['4', '3', '2', '1']);
      expect(titles(await list(`q=${tag}&country=HN&pillar=IV`))).toEqual(['2', '1']);
      expect(titles(await list(`q=${tag}&status=WITHDRAWN`))).toEqual(['2']);
      expect(titles(await list(`q=${tag}&createdBy=${people.manager.sub}`))).toEqual(['4', '2', '1']);
      expect(titles(await list(`q=${tag}&createdBy=${people.manager2.sub}`))).toEqual(['3']);
      // % is searched for literally, not as a wildcard.
      expect(titles(await list(`q=${encodeURIComponent(`${tag} 100% number 3`)}`))).toEqual(['3']);
      expect(titles(await list(`q=${encodeURIComponent('100_ number')}`))).toEqual([]);

      const page1 = await list(`q=${tag}&limit=3`);
      expect(titles(page1)).toEqual(['4', '3', '2']);
      const page2 = await list(`q=${tag}&limit=3&cursor=${page1.nextCursor}`);
      expect(titles(page2)).toEqual(['1']);
      expect(page2.nextCursor).toBeNull();
    });

    it.each([
      ['status=PENDING', 'status'],
      ['country=MX', 'country'],
      ['limit=501', 'limit'],
      ['limit=abc', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['sort=title', 'sort'],
      ['createdBy=%20%20', 'createdBy'],
    ])('refuses %s with 400 naming %s', async (query, field) => {
      const res = await proposals().get(`/programs?${query}`).set(sys.auth(people.auditor)).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    });
  });
});
