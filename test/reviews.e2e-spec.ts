import { CommandBus } from '@nestjs/cqrs';
import pg from 'pg';
import type { CheckName, EventPayloads } from '#libs/contracts';
import { OpenReviewCommand } from '../apps/reviews/src/reviews/commands/open-review.command.js';
import { TestSystem, type Person } from './support/test-system.js';
import { people } from './support/fixtures.js';
import { ProgramFlow, RATIONALE } from './support/program-flow.js';

interface Check {
  name: CheckName;
  result: 'PASS' | 'FAIL' | 'WARN';
  blocking: boolean;
  detail: string;
}

describe('reviews: safeguard checks, decisions, separation of duties and reference data through HTTP and real queues', () => {
  let sys: TestSystem;
  let flow: ProgramFlow;
  const reviews = () => sys.http('reviews');
  const getReview = async (id: string) => (await reviews().get(`/reviews/${id}`).set(sys.auth(people.reviewer)).expect(200)).body;
  const checksOf = async (reviewId: string): Promise<Record<CheckName, Check>> =>
    Object.fromEntries((await getReview(reviewId)).checks.map((c: Check) => [c.name, c])) as Record<CheckName, Check>;
  const results = (checks: Record<CheckName, Check>) =>
    Object.fromEntries(Object.values(checks).map((c) => [c.name, c.result])) as Record<CheckName, string>;
  const fields = (body: { details: Array<{ field: string }> }) => body.details.map((d) => d.field);

  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['proposals', 'reviews', 'audit'] });
    flow = new ProgramFlow(sys);
  });
  afterAll(() => sys?.stop());

  describe('safeguard checks', () => {
    const allPass = { 'restricted-party': 'PASS', 'measurable-objectives': 'PASS', schedule: 'PASS', targeting: 'PASS', 'high-value': 'PASS' };

    it('all pass on a clean program, which one reviewer approves', async () => {
      const { id, reviewId } = await flow.underReview();
      const review = await getReview(reviewId);
      expect(review).toMatchObject({ programId: id, round: 1, status: 'OPEN', requiredApprovals: 1, decisions: [] });
      expect(results(await checksOf(reviewId))).toEqual(allPass);
      const approved = await flow.decide(reviewId, people.reviewer, 'APPROVE').expect(200);
      expect(approved.body).toMatchObject({ status: 'COMPLETED', outcome: 'APPROVED' });
      expect(approved.body.decisions).toEqual([
        expect.objectContaining({ reviewerId: people.reviewer.sub, decision: 'APPROVE', rationale: RATIONALE }),
      ]);
      await flow.waitForStatus(id, 'APPROVED');
    });

    const objectiveWithoutBaseline = [
      { description: 'Reduce extortion', indicators: [{ name: 'Reported extortion cases', unit: 'cases', baseline: null, target: 100 }] },
    ];
    it.each([
      ['restricted-party', 'FAIL', true, { implementingPartner: { name: 'Constructora Ejemplo S.A. de C.V.', country: 'SV' } }],
      ['measurable-objectives', 'FAIL', true, { objectives: objectiveWithoutBaseline }],
      ['schedule', 'FAIL', true, { startDate: '2027-06-01', endDate: '2027-05-31' }],
      ['schedule', 'FAIL', true, { startDate: '2027-01-01', endDate: '2032-01-02' }],
      ['targeting', 'WARN', false, { targetAreas: ['Petén'] }],
      ['targeting', 'WARN', false, { country: 'REGIONAL', targetAreas: ['Petén', 'Sololá'] }],
      ['high-value', 'WARN', false, { budgetCents: 500_000_000 }],
    ] as const)('%s is %s (blocking: %s) on its own case, every other check passes', async (name, result, blocking, overrides) => {
      const { reviewId } = await flow.underReview(overrides);
      const checks = await checksOf(reviewId);
      expect(checks[name]).toMatchObject({ result, blocking });
      expect(checks[name].detail.length).toBeGreaterThan(10);
      expect(results(checks)).toEqual({ ...allPass, [name]: result });
    });

    it.each([
      ['upper case, no punctuation', 'CONSTRUCTORA EJEMPLO SA DE CV', undefined],
      ['lower case with commas', 'constructora ejemplo, s.a. de c.v.', undefined],
      ['stray accents and spaced suffix', 'Constructóra  Ejémplo S. A. de C. V.', undefined],
      ['without the legal suffix', 'Constructora Ejemplo', undefined],
      ['the suffix spelled out', 'Constructora Ejemplo Sociedad Anónima de Capital Variable', undefined],
      ['another name, same registration id', 'Obras Generales del Pacífico', '0614 290190 1023'],
    ])('catches a restricted partner spelled %s', async (_how, name, registrationId) => {
      const { reviewId } = await flow.underReview({ implementingPartner: { name, registrationId, country: 'SV' } });
      const checks = await checksOf(reviewId);
      expect(checks['restricted-party']).toMatchObject({ result: 'FAIL', blocking: true });
      expect(checks['restricted-party'].detail).toContain('Constructora Ejemplo S.A. de C.V.');
    });

    it('refuses APPROVE on a blocked review with 409 SAFEGUARD_BLOCKING and changes nothing; REJECT still ends it', async () => {
      const { id, reviewId } = await flow.underReview({ objectives: objectiveWithoutBaseline, startDate: '2028-01-01', endDate: '2027-01-01' });
      const before = await getReview(reviewId);
      const refused = await flow.decide(reviewId, people.reviewer, 'APPROVE').expect(409);
      expect(refused.body).toMatchObject({ code: 'SAFEGUARD_BLOCKING', details: { failing: ['measurable-objectives', 'schedule'] } });
      expect(await getReview(reviewId)).toEqual(before);
      const recorded = await sys.query(`SELECT 1 FROM reviews.outbox WHERE type <> 'review.opened' AND envelope->>'aggregateId' = $1`, [reviewId]);
      expect(recorded).toHaveLength(0);
      expect((await flow.get(id)).status).toBe('UNDER_REVIEW');

      await flow.decide(reviewId, people.reviewer, 'REJECT').expect(200);
      await flow.waitForStatus(id, 'REJECTED');
    });
  });

  describe('decisions and separation of duties', () => {
    it('a high-value program needs two different reviewers: not one, not the same one twice', async () => {
      const { id, reviewId } = await flow.underReview({ budgetCents: 750_000_000 });
      expect((await getReview(reviewId)).requiredApprovals).toBe(2);

      const first = await flow.decide(reviewId, people.reviewer, 'APPROVE').expect(200);
      expect(first.body).toMatchObject({ status: 'AWAITING_SECOND_REVIEW', outcome: null });
      const again = await flow.decide(reviewId, people.reviewer, 'APPROVE').expect(403);
      expect(again.body).toMatchObject({ code: 'SEPARATION_OF_DUTIES', details: { programId: id, reviewerId: people.reviewer.sub } });
      expect((await getReview(reviewId)).decisions).toHaveLength(1);
      // Nothing completed the review, so the program is still waiting for its second reviewer.
      expect((await flow.get(id)).status).toBe('UNDER_REVIEW');

      const second = await flow.decide(reviewId, people.reviewer2, 'APPROVE').expect(200);
      expect(second.body).toMatchObject({ status: 'COMPLETED', outcome: 'APPROVED' });
      expect(second.body.decisions.map((d: { reviewerId: string }) => d.reviewerId)).toEqual([people.reviewer.sub, people.reviewer2.sub]);
      await flow.waitForStatus(id, 'APPROVED');
    });

    it('a REQUEST_REVISION by the second reviewer of a high-value review ends it at once', async () => {
      const { id, reviewId } = await flow.underReview({ budgetCents: 900_000_000 });
      await flow.decide(reviewId, people.reviewer, 'APPROVE').expect(200);
      const ended = await flow.decide(reviewId, people.reviewer2, 'REQUEST_REVISION').expect(200);
      expect(ended.body).toMatchObject({ status: 'COMPLETED', outcome: 'REVISION_REQUESTED' });
      await flow.waitForStatus(id, 'REVISION_REQUESTED');
    });

    it('refuses self-review and partner-organisation review with 403 CONFLICT_OF_INTEREST, recorded as access.denied', async () => {
      const both: Person = { sub: 'gm-rv-olga', name: 'Olga Both', roles: ['grant_manager', 'reviewer'], org: 'USAID Mission El Salvador' };
      const partnerStaff: Person = { sub: 'rv-pablo', name: 'Pablo Partner', roles: ['reviewer'], org: 'FUNDACION DESARROLLO JUVENIL' };
      const ownFlow = new ProgramFlow(sys, both);
      const { id } = await ownFlow.create();
      const { reviewId } = await ownFlow.submitAndAwaitReview(id);

      const self = await flow.decide(reviewId, both, 'APPROVE').expect(403);
      expect(self.body).toMatchObject({ code: 'CONFLICT_OF_INTEREST', details: { programId: id, reason: 'SELF_REVIEW' } });
      const partner = await flow.decide(reviewId, partnerStaff, 'APPROVE').expect(403);
      expect(partner.body).toMatchObject({ code: 'CONFLICT_OF_INTEREST', details: { programId: id, reason: 'PARTNER_ORGANISATION' } });
      expect(await getReview(reviewId)).toMatchObject({ status: 'OPEN', decisions: [] });

      const denials = await sys.eventually(async () => {
        const rows = await sys.query<{ actor_id: string; payload: { code: string; statusCode: number; path: string } }>(
          `SELECT actor_id, payload::jsonb AS payload FROM audit.ledger WHERE type = 'access.denied' AND program_id = $1 ORDER BY seq`,
          [id],
        );
        expect(rows).toHaveLength(2);
        return rows;
      });
      expect(denials.map((d) => [d.actor_id, d.payload.code, d.payload.statusCode])).toEqual([
        [both.sub, 'CONFLICT_OF_INTEREST', 403],
        [partnerStaff.sub, 'CONFLICT_OF_INTEREST', 403],
      ]);
      expect(denials[0].payload.path).toBe(`/reviews/${reviewId}/decisions`);
    });

    it.each([
      ['a short rationale', { decision: 'APPROVE', rationale: 'Looks fine.' }, 'rationale'],
      ['a blank rationale padded to length', { decision: 'APPROVE', rationale: ' '.repeat(30) }, 'rationale'],
      ['an unknown decision', { decision: 'MAYBE', rationale: RATIONALE }, 'decision'],
      ['a wrong type', { decision: 'APPROVE', rationale: 12345678901234567890 }, 'rationale'],
      ['an unknown field', { decision: 'APPROVE', rationale: RATIONALE, weight: 2 }, 'weight'],
    ])('refuses %s with 400 naming the field, and records nothing', async (_what, body, field) => {
      const { reviewId } = await flow.underReview();
      const before = await getReview(reviewId);
      const res = await reviews().post(`/reviews/${reviewId}/decisions`).set(sys.auth(people.reviewer)).send(body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(fields(res.body)).toContain(field);
      expect(await getReview(reviewId)).toEqual(before);
    });

    it('answers 404 for an unknown review and 400 for an id that is not a uuid', async () => {
      await flow.decide('01890f3e-0000-7000-8000-000000000999', people.reviewer, 'APPROVE').expect(404);
      const bad = await reviews().get('/reviews/42').set(sys.auth(people.auditor)).expect(400);
      expect(fields(bad.body)).toEqual(['id']);
    });
  });

  describe('GET /reviews', () => {
    it('filters by programId and status, and pages with a cursor', async () => {
      const { id, reviewId: round1 } = await flow.underReview();
      await flow.conclude(round1, 'REQUEST_REVISION');
      await flow.waitForStatus(id, 'REVISION_REQUESTED');
      const { reviewId: round2 } = await flow.submitAndAwaitReview(id);
      const list = (query: string) => reviews().get(`/reviews?${query}`).set(sys.auth(people.auditor)).expect(200).then((r) => r.body);

      expect((await list(`programId=${id}`)).items.map((r: { id: string }) => r.id)).toEqual([round2, round1]);
      expect((await list(`programId=${id}&status=OPEN`)).items.map((r: { id: string }) => r.id)).toEqual([round2]);
      expect((await list(`programId=${id}&status=COMPLETED`)).items.map((r: { id: string }) => r.id)).toEqual([round1]);
      const page1 = await list(`programId=${id}&limit=1`);
      expect(page1.items.map((r: { id: string }) => r.id)).toEqual([round2]);
      const page2 = await list(`programId=${id}&limit=1&cursor=${page1.nextCursor}`);
      expect(page2).toEqual({ items: [expect.objectContaining({ id: round1 })], nextCursor: null });
      const open = await list('status=OPEN&limit=500');
      expect(open.items.every((r: { status: string }) => r.status === 'OPEN')).toBe(true);
    });

    it.each([
      ['programId=123', 'programId'],
      ['status=DONE', 'status'],
      ['limit=0', 'limit'],
      ['cursor=%%%', 'cursor'],
    ])('refuses %s with 400 naming %s', async (query, field) => {
      const res = await reviews().get(`/reviews?${query}`).set(sys.auth(people.reviewer)).expect(400);
      expect(fields(res.body)).toContain(field);
    });
  });

  it('opens no second review for a round that has one (the same submission arriving under another event id)', async () => {
    const { id, reviewId } = await flow.underReview();
    const [{ payload }] = await sys.query<{ payload: EventPayloads['program.submitted'] }>(
      `SELECT envelope->'payload' AS payload FROM proposals.outbox WHERE type = 'program.submitted' AND envelope->'payload'->>'programId' = $1`,
      [id],
    );
    await sys.app('reviews').get(CommandBus).execute(new OpenReviewCommand(payload.program, payload.round));
    expect(await sys.query(`SELECT id FROM reviews.reviews WHERE program_id = $1`, [id])).toEqual([{ id: reviewId }]);
  });

  it('opens no review that stays open when program.withdrawn is consumed with, or before, program.submitted', async () => {
    await sys.stopService('reviews');
    const { id } = await flow.create();
    await flow.submit(id);
    await flow.command(id, 'withdraw', 'Withdrawn before any review could start.');
    await sys.startService('reviews');
    const sent = await sys.query<{ event_id: string }>(
      `SELECT event_id FROM proposals.outbox
       WHERE type IN ('program.submitted', 'program.withdrawn') AND envelope->'payload'->>'programId' = $1`,
      [id],
    );
    expect(sent).toHaveLength(2);
    await sys.eventually(async () => {
      const consumed = await sys.query(`SELECT 1 FROM reviews.inbox WHERE event_id = ANY($1::uuid[])`, [sent.map((e) => e.event_id)]);
      expect(consumed).toHaveLength(2);
    });
    const open = await sys.query(`SELECT 1 FROM reviews.reviews WHERE program_id = $1 AND status IN ('OPEN', 'AWAITING_SECOND_REVIEW')`, [id]);
    expect(open).toHaveLength(0);
    expect((await flow.get(id)).status).toBe('WITHDRAWN');
  });

  /** The audit ledger's entries of one reference-data aggregate, once `count` of them are recorded. */
  const ledgerOf = (aggregateId: string, count: number) =>
    sys.eventually(async () => {
      const res = await sys.http('audit').get('/audit/events').query({ aggregateId }).set(sys.auth(people.auditor)).expect(200);
      expect(res.body.items).toHaveLength(count);
      return res.body.items as Array<{ type: string; aggregateVersion: number; actor: { id: string }; payload: Record<string, unknown> }>;
    });

  describe('restricted parties', () => {
    const parties = () => reviews().get('/restricted-parties?limit=500').set(sys.auth(people.auditor)).expect(200).then((r) => r.body.items);

    it('screens undecided reviews again when the list changes: listed after opening blocks APPROVE until unlisted; decided reviews keep their record', async () => {
      const partner = { name: 'Cooperativa Río Lempa', registrationId: 'SV-5511-02', country: 'SV' };
      const program = { country: 'SV', targetAreas: ['San Miguel'], implementingPartner: partner };
      const open = await flow.underReview(program);
      const decided = await flow.underReview(program);
      await flow.conclude(decided.reviewId, 'REJECT');
      const otherPartner = await flow.underReview({ ...program, implementingPartner: { ...partner, name: 'Cooperativa Otra', registrationId: 'SV-9' } });
      const before = await checksOf(decided.reviewId);
      expect((await checksOf(open.reviewId))['restricted-party'].result).toBe('PASS');

      const listed = await reviews()
        .post('/restricted-parties')
        .set(sys.auth(people.admin))
        .send({ name: 'COOPERATIVA RIO LEMPA', reason: 'Designated for diverting funds (fictional).', source: 'Test list' })
        .expect(201);
      const failing = (await checksOf(open.reviewId))['restricted-party'];
      expect(failing).toMatchObject({ result: 'FAIL', blocking: true, detail: expect.stringContaining('restricted party "COOPERATIVA RIO LEMPA"') });
      const refusedApproval = await flow.decide(open.reviewId, people.reviewer, 'APPROVE');
      expect(refusedApproval.status).toBe(409);
      expect(refusedApproval.body).toMatchObject({ code: 'SAFEGUARD_BLOCKING', details: { failing: ['restricted-party'] } });
      // A decided review is a record of what was known then; another partner's review is not touched.
      expect(await checksOf(decided.reviewId)).toEqual(before);
      expect((await checksOf(otherPartner.reviewId))['restricted-party'].result).toBe('PASS');

      await reviews().delete(`/restricted-parties/${listed.body.id}`).set(sys.auth(people.admin)).send({ reason: 'Listed against the wrong cooperative (fictional).' }).expect(200);
      expect((await checksOf(open.reviewId))['restricted-party'].result).toBe('PASS');
      await flow.conclude(open.reviewId, 'APPROVE');
      await flow.waitForStatus(open.id, 'APPROVED');

      // Each change of the check is evidence on the program's timeline, naming the listing that caused it.
      const changes = await sys.eventually(async () => {
        const res = await sys.http('audit').get('/audit/events').query({ type: 'review.check-changed', aggregateId: open.reviewId }).set(sys.auth(people.auditor)).expect(200);
        expect(res.body.items).toHaveLength(2);
        return res.body.items as Array<{ payload: { check: { result: string }; previous: { result: string }; partyId: string } }>;
      });
      expect(changes.map((e) => [e.payload.previous.result, e.payload.check.result, e.payload.partyId])).toEqual([
        ['PASS', 'FAIL', listed.body.id],
        ['FAIL', 'PASS', listed.body.id],
      ]);
      const others = await sys.query(`SELECT 1 FROM reviews.outbox WHERE type = 'review.check-changed' AND envelope->'payload'->>'reviewId' = ANY($1)`, [
        [decided.reviewId, otherPartner.reviewId],
      ]);
      expect(others).toEqual([]);
    });

    it('opens a review while a party is being listed only once the listing is decided, so it sees the party', async () => {
      const partner = { name: 'Agroservicios Copán', registrationId: 'HN-0407-31', country: 'HN' };
      // Another admin's listing, still in its transaction, holding the list as a listing does.
      const listing = new pg.Client({ connectionString: sys.databaseUrl });
      await listing.connect();
      try {
        await listing.query('BEGIN');
        await listing.query(`SELECT pg_advisory_xact_lock(hashtextextended('reviews:restricted-list', 0))`);
        await listing.query(
          `INSERT INTO reviews.restricted_parties (id, name, normalised_name, reason, source, created_by, created_at)
           VALUES (gen_random_uuid(), 'AGROSERVICIOS COPAN', 'AGROSERVICIOS COPAN', 'Debarred (fictional).', 'Test list', 'admin', now())`,
        );
        const { id } = await flow.create({ country: 'HN', targetAreas: ['Yoro'], implementingPartner: partner });
        await flow.submit(id);
        // program.submitted is consumed meanwhile, but the review waits for the listing.
        await sys.eventually(async () => {
          const waiting = await sys.query(
            `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          );
          expect(waiting.length).toBeGreaterThan(0);
        });
        expect(await sys.query(`SELECT 1 FROM reviews.reviews WHERE program_id = $1`, [id])).toEqual([]);
        await listing.query('COMMIT');
        const { currentReviewId } = await flow.waitForStatus(id, 'UNDER_REVIEW');
        expect((await checksOf(currentReviewId as string))['restricted-party'].result).toBe('FAIL');
      } finally {
        await listing.end();
      }
    });

    it('lists the seeded parties; an added party is caught by the next review, a removed one no longer is', async () => {
      const seeded = await parties();
      expect(seeded.map((p: { name: string }) => p.name)).toContain('Constructora Ejemplo S.A. de C.V.');

      const added = await reviews()
        .post('/restricted-parties')
        .set(sys.auth(people.admin))
        .send({ name: 'Transportes La Frontera S.A.', registrationId: 'HN-0801-777', reason: 'Debarred for fraud in 2025 (fictional).', source: 'Test list' })
        .expect(201);
      expect(added.body).toMatchObject({ name: 'Transportes La Frontera S.A.', normalisedName: 'TRANSPORTES LA FRONTERA', createdBy: people.admin.sub, removedAt: null });
      expect(await parties()).toHaveLength(seeded.length + 1);

      const duplicate = await reviews()
        .post('/restricted-parties')
        .set(sys.auth(people.admin))
        .send({ name: 'TRANSPORTES LA FRONTERA, S.A.', registrationId: 'hn 0801 777', reason: 'Again', source: 'Test list' })
        .expect(409);
      expect(duplicate.body.code).toBe('DUPLICATE');

      const partner = { name: 'transportes la frontera', country: 'HN' };
      const caught = await flow.underReview({ country: 'HN', targetAreas: ['Yoro'], implementingPartner: partner });
      expect((await checksOf(caught.reviewId))['restricted-party'].result).toBe('FAIL');

      const blank = await reviews().delete(`/restricted-parties/${added.body.id}`).set(sys.auth(people.admin)).send({ reason: '  ' }).expect(400);
      expect(fields(blank.body)).toEqual(['reason']);
      const removed = await reviews()
        .delete(`/restricted-parties/${added.body.id}`)
        .set(sys.auth(people.admin))
        .send({ reason: 'Entered against the wrong company (fictional).' })
        .expect(200);
      expect(removed.body).toMatchObject({ id: added.body.id, removedBy: people.admin.sub, removedReason: 'Entered against the wrong company (fictional).' });
      expect(Date.parse(removed.body.removedAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(await parties()).toHaveLength(seeded.length);
      await reviews().delete(`/restricted-parties/${added.body.id}`).set(sys.auth(people.admin)).expect(404);
      // The entry stays, with who added and who removed it, for the record.
      const history = await reviews().get('/restricted-parties?includeRemoved=true&limit=500').set(sys.auth(people.auditor)).expect(200);
      expect(history.body.items.find((p: { id: string }) => p.id === added.body.id)).toMatchObject({
        createdBy: people.admin.sub,
        removedBy: people.admin.sub,
      });

      // Who put the party on the list and who took it off is evidence in the ledger; the refused duplicate left nothing.
      expect(await ledgerOf(added.body.id, 2)).toEqual([
        expect.objectContaining({
          type: 'reference.restricted-party-added',
          aggregateVersion: 1,
          actor: expect.objectContaining({ id: people.admin.sub }),
          payload: { partyId: added.body.id, name: 'Transportes La Frontera S.A.', registrationId: 'HN-0801-777', reason: 'Debarred for fraud in 2025 (fictional).', source: 'Test list' },
        }),
        expect.objectContaining({
          type: 'reference.restricted-party-removed',
          aggregateVersion: 2,
          actor: expect.objectContaining({ id: people.admin.sub }),
          payload: { partyId: added.body.id, name: 'Transportes La Frontera S.A.', registrationId: 'HN-0801-777', reason: 'Entered against the wrong company (fictional).' },
        }),
      ]);

      const cleared = await flow.underReview({ country: 'HN', targetAreas: ['Yoro'], implementingPartner: partner });
      // The reviewer reads how long the active list was: the removed party is no longer counted.
      expect((await checksOf(cleared.reviewId))['restricted-party']).toMatchObject({
        result: 'PASS',
        detail: `Implementing partner "transportes la frontera" matches none of the ${seeded.length} restricted parties.`,
      });
      // The review opened before the removal, still undecided, is screened again against the list as it now is.
      expect((await checksOf(caught.reviewId))['restricted-party'].result).toBe('PASS');
    });

    it('checks against a list imported in bulk (a sanctions list): found by registration id among thousands, counted, and uncounted once deleted', async () => {
      const before = (await parties()).length;
      // Written straight to the table, as an import would: the lookup and the count must not depend on the admin API.
      await sys.query(
        `INSERT INTO reviews.restricted_parties (name, normalised_name, registration_id, normalised_registration_id, reason, source, created_by)
         SELECT 'Importadora ' || i, 'IMPORTADORA ' || i, 'IMP-' || i, 'IMP' || i, 'Imported (fictional).', 'bulk', 'import' FROM generate_series(1, 3000) i`,
      );
      const caught = await flow.underReview({ implementingPartner: { name: 'Nombre Distinto', registrationId: 'imp 2718', country: 'SV' } });
      expect((await checksOf(caught.reviewId))['restricted-party']).toMatchObject({ result: 'FAIL', detail: expect.stringContaining('restricted party "Importadora 2718" by registration id') });
      const clean = await flow.underReview({ implementingPartner: { name: 'Fundación Horizonte', country: 'SV' } });
      expect((await checksOf(clean.reviewId))['restricted-party'].detail).toContain(`matches none of the ${before + 3000} restricted parties`);

      // An admin finds a party among thousands as the check compares them: case, accents, punctuation, legal suffixes.
      const search = (q: string, extra = '') => reviews().get(`/restricted-parties?q=${encodeURIComponent(q)}${extra}`).set(sys.auth(people.admin));
      const names = (res: { body: { items: Array<{ name: string }> } }) => res.body.items.map((p) => p.name).sort();
      expect(names(await search('importadora 271').expect(200))).toEqual(['Importadora 271', ...Array.from({ length: 10 }, (_, i) => `Importadora 271${i}`)].sort());
      expect(names(await search('imp-2718').expect(200))).toEqual(['Importadora 2718']);
      expect(names(await search('CONSTRUCTORA ejemplo, S.A.').expect(200))).toEqual(['Constructora Ejemplo S.A. de C.V.']);
      const first = await search('importadora 27', '&limit=6').expect(200);
      const second = await search('importadora 27', `&limit=6&cursor=${first.body.nextCursor}`).expect(200);
      // 111 match (27, 270-279, 2700-2799): pages of 6 follow one another without repeating.
      const paged = [...names(first), ...names(second)];
      expect(new Set(paged).size).toBe(12);
      expect(paged.every((name) => name.startsWith('Importadora 27'))).toBe(true);
      const refused = await search('...').expect(400);
      expect(fields(refused.body)).toEqual(['q']);

      await sys.query(`DELETE FROM reviews.restricted_parties WHERE source = 'bulk'`);
      const after = await flow.underReview({ implementingPartner: { name: 'Fundación Horizonte', country: 'SV' } });
      expect((await checksOf(after.reviewId))['restricted-party'].detail).toContain(`matches none of the ${before} restricted parties`);
    });

    it.each([
      ['a missing reason', { name: 'Some Party', source: 'List' }, 'reason'],
      ['a name of punctuation only', { name: '...', reason: 'Because', source: 'List' }, 'name'],
      ['a wrong type', { name: 'Some Party', registrationId: 123, reason: 'Because', source: 'List' }, 'registrationId'],
      ['an unknown field', { name: 'Some Party', reason: 'Because', source: 'List', severity: 'high' }, 'severity'],
    ])('refuses %s with 400 naming the field, and adds nothing', async (_what, body, field) => {
      const before = (await parties()).length;
      const res = await reviews().post('/restricted-parties').set(sys.auth(people.admin)).send(body).expect(400);
      expect(fields(res.body)).toContain(field);
      expect(await parties()).toHaveLength(before);
    });
  });

  describe('thresholds', () => {
    const thresholds = () => reviews().get('/thresholds').set(sys.auth(people.manager)).expect(200).then((r) => r.body.items);
    const put = (name: string, body: object) => reviews().put(`/thresholds/${name}`).set(sys.auth(people.admin)).send(body);

    it('shows the configured defaults; an admin changes high-value, new reviews follow it, and the change is in the ledger', async () => {
      expect(await thresholds()).toEqual([
        { name: 'high-value', amountCents: 500_000_000, version: 0, updatedBy: null, updatedAt: null },
        { name: 'dual-approval', amountCents: 100_000_000, version: 0, updatedBy: null, updatedAt: null },
      ]);
      const { reviewId: before } = await flow.underReview({ budgetCents: 250_000_000 });

      const set = await put('high-value', { amountCents: 200_000_000, expectedVersion: 0 }).expect(200);
      expect(set.body).toMatchObject({ name: 'high-value', amountCents: 200_000_000, version: 1, updatedBy: people.admin.sub });
      expect((await reviews().get('/thresholds/high-value').set(sys.auth(people.auditor)).expect(200)).body).toMatchObject({ amountCents: 200_000_000, version: 1 });
      try {
        const { reviewId: after } = await flow.underReview({ budgetCents: 250_000_000 });
        expect((await checksOf(after))['high-value']).toMatchObject({ result: 'WARN', detail: expect.stringContaining('$2,000,000.00') });
        expect((await getReview(after)).requiredApprovals).toBe(2);
        // A review opened before keeps the rule it opened under.
        expect((await getReview(before)).requiredApprovals).toBe(1);

        // Saving the same amount again changes nothing; an admin working from the old version is refused.
        expect((await put('high-value', { amountCents: 200_000_000 }).expect(200)).body.version).toBe(1);
        const stale = await put('high-value', { amountCents: 300_000_000, expectedVersion: 0 }).expect(409);
        expect(stale.body).toMatchObject({ code: 'STALE_VERSION', details: { expectedVersion: 0, currentVersion: 1 } });

        const [change] = await ledgerOf('high-value', 1);
        expect(change).toMatchObject({
          type: 'reference.threshold-changed',
          aggregateVersion: 1,
          actor: expect.objectContaining({ id: people.admin.sub }),
          payload: { name: 'high-value', amountCents: 200_000_000, previousAmountCents: 500_000_000 },
        });
      } finally {
        await put('high-value', { amountCents: 500_000_000 }).expect(200);
      }
    });

    it.each([
      ['/thresholds/low-value', { amountCents: 100 }, 'name'],
      ['/thresholds/high-value', { amountCents: 0 }, 'amountCents'],
      ['/thresholds/high-value', { amountCents: 1.5 }, 'amountCents'],
      ['/thresholds/high-value', { amountCents: '500000000' }, 'amountCents'],
      ['/thresholds/high-value', {}, 'amountCents'],
      ['/thresholds/high-value', { amountCents: 100, version: 7 }, 'version'],
    ])('PUT %s %j is a 400 naming %s, and changes nothing', async (path, body, field) => {
      const before = await thresholds();
      const res = await reviews().put(path).set(sys.auth(people.admin)).send(body).expect(400);
      expect(fields(res.body)).toContain(field);
      expect(await thresholds()).toEqual(before);
    });
  });

  describe('priority areas', () => {
    it('serves the seeded list to any role; an admin replaces it and new reviews check targeting against it', async () => {
      const seeded = await reviews().get('/priority-areas/GT').set(sys.auth(people.approver)).expect(200);
      expect(seeded.body.areas).toContain('Huehuetenango');

      const put = await reviews().put('/priority-areas/GT').set(sys.auth(people.admin)).send({ areas: ['Petén', ' Izabal '] }).expect(200);
      expect(put.body).toMatchObject({ country: 'GT', areas: ['Petén', 'Izabal'], updatedBy: people.admin.sub });
      const read = await reviews().get('/priority-areas/GT').set(sys.auth(people.manager)).expect(200);
      expect(read.body).toMatchObject({ areas: ['Petén', 'Izabal'], updatedBy: people.admin.sub });

      const { reviewId } = await flow.underReview({ targetAreas: ['Peten'] });
      expect((await checksOf(reviewId)).targeting.result).toBe('PASS');
      const { reviewId: old } = await flow.underReview({ targetAreas: ['Huehuetenango'] });
      expect((await checksOf(old)).targeting.result).toBe('WARN');

      await reviews().put('/priority-areas/GT').set(sys.auth(people.admin)).send({ areas: seeded.body.areas }).expect(200);
      // Each change is in the ledger with the list it replaced, numbered in turn.
      const changes = await ledgerOf('GT', 2);
      expect(changes.map((e) => [e.type, e.aggregateVersion, e.actor.id])).toEqual([
        ['reference.priority-areas-changed', 2, people.admin.sub],
        ['reference.priority-areas-changed', 3, people.admin.sub],
      ]);
      expect(changes.map((e) => e.payload)).toEqual([
        { country: 'GT', areas: ['Petén', 'Izabal'], previousAreas: seeded.body.areas },
        { country: 'GT', areas: seeded.body.areas, previousAreas: ['Petén', 'Izabal'] },
      ]);
    });

    it('refuses a change made to a list another admin changed since it was read (409 STALE_VERSION), changing nothing', async () => {
      const read = (await reviews().get('/priority-areas/HN').set(sys.auth(people.admin)).expect(200)).body;
      const first = await reviews()
        .put('/priority-areas/HN')
        .set(sys.auth(people.admin))
        .send({ areas: [...read.areas, 'Islas de la Bahía'], expectedVersion: read.version })
        .expect(200);
      expect(first.body).toMatchObject({ areas: [...read.areas, 'Islas de la Bahía'], version: read.version + 1 });

      // A second admin edited the list as it was before the first change.
      const late = await reviews()
        .put('/priority-areas/HN')
        .set(sys.auth(people.admin))
        .send({ areas: read.areas.slice(1), expectedVersion: read.version })
        .expect(409);
      expect(late.body).toMatchObject({ code: 'STALE_VERSION', details: { expectedVersion: read.version, currentVersion: read.version + 1 } });
      expect((await reviews().get('/priority-areas/HN').set(sys.auth(people.manager)).expect(200)).body).toMatchObject({
        areas: [...read.areas, 'Islas de la Bahía'],
        version: read.version + 1,
      });

      // Without expectedVersion the list is replaced, as API.md's body has it.
      await reviews().put('/priority-areas/HN').set(sys.auth(people.admin)).send({ areas: read.areas }).expect(200);
      // The refused change left no event behind.
      expect((await ledgerOf('HN', 2)).map((e) => e.aggregateVersion)).toEqual([read.version + 1, read.version + 2]);
    });

    it('checks a regional program against the priority areas of every country, and of the region', async () => {
      const { reviewId } = await flow.underReview({ country: 'REGIONAL', targetAreas: ['Trifinio', 'Yoro'] });
      expect((await checksOf(reviewId)).targeting).toMatchObject({ result: 'PASS', detail: expect.stringMatching(/of the region .*: Yoro\.$/) });
    });

    it('starts the history of a country without a list (one added to the reference data later) from an empty one', async () => {
      await sys.query(`DELETE FROM reviews.priority_areas WHERE country = 'REGIONAL'`);
      await reviews().put('/priority-areas/REGIONAL').set(sys.auth(people.admin)).send({ areas: ['Trifinio'] }).expect(200);
      const [change] = await ledgerOf('REGIONAL', 1);
      expect(change).toMatchObject({ aggregateVersion: 1, payload: { country: 'REGIONAL', areas: ['Trifinio'], previousAreas: [] } });
    });

    it.each([
      ['/priority-areas/MX', { areas: ['X'] }, 'country'],
      ['/priority-areas/GT', { areas: 'Petén' }, 'areas'],
      ['/priority-areas/GT', { areas: ['Petén', ''] }, 'areas'],
      ['/priority-areas/GT', { areas: ['Quiché', 'quiche'] }, 'areas.1'],
      ['/priority-areas/GT', { areas: ['Petén'], country: 'GT' }, 'country'],
      ['/priority-areas/GT', { areas: ['Petén'], expectedVersion: '1' }, 'expectedVersion'],
    ])('PUT %s %j is a 400 naming %s, and changes nothing', async (path, body, field) => {
      const before = (await reviews().get('/priority-areas/GT').set(sys.auth(people.admin)).expect(200)).body;
      const res = await reviews().put(path).set(sys.auth(people.admin)).send(body).expect(400);
      expect(fields(res.body)).toContain(field);
      expect((await reviews().get('/priority-areas/GT').set(sys.auth(people.admin)).expect(200)).body).toEqual(before);
    });
  });
});
