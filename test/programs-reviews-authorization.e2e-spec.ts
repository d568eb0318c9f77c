import type { Role, ServiceName } from '#libs/contracts';
import { TestSystem, type Person } from './support/test-system.js';
import { people, programBody } from './support/fixtures.js';
import { ProgramFlow, RATIONALE } from './support/program-flow.js';

type Caller = Role | 'no token' | 'forged token';

/** API.md's role column for every endpoint of proposals and reviews. */
interface Endpoint {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  service: ServiceName;
  /** The path and body, given the targets made in beforeAll. */
  request: (t: Targets) => { path: string; body?: object };
  allowed: Role[];
  /** What an allowed caller gets: the endpoint's success status. */
  success: number;
}

interface Targets {
  anyProgram: string;
  draftToRevise: { id: string; version: number };
  draftToSubmit: string;
  draftToWithdraw: string;
  approvedToSuspend: string;
  suspendedToReinstate: string;
  approvedToClose: string;
  anyReview: string;
  openReview: string;
  partyToRemove: string;
  gtAreas: string[];
}

const ANY: Role[] = ['grant_manager', 'reviewer', 'approver', 'scheduler', 'auditor', 'admin'];
const reason = { reason: 'Authorised by the table-driven test.' };

const ENDPOINTS: Record<string, Endpoint> = {
  'POST /programs': { method: 'post', service: 'proposals', request: () => ({ path: '/programs', body: programBody() }), allowed: ['grant_manager'], success: 201 },
  'GET /programs': { method: 'get', service: 'proposals', request: () => ({ path: '/programs' }), allowed: ANY, success: 200 },
  'GET /programs/:id': { method: 'get', service: 'proposals', request: (t) => ({ path: `/programs/${t.anyProgram}` }), allowed: ANY, success: 200 },
  'PATCH /programs/:id': {
    method: 'patch',
    service: 'proposals',
    request: (t) => ({ path: `/programs/${t.draftToRevise.id}`, body: { expectedVersion: t.draftToRevise.version, title: 'Authorised revision' } }),
    allowed: ['grant_manager'],
    success: 200,
  },
  'POST /programs/:id/submit': { method: 'post', service: 'proposals', request: (t) => ({ path: `/programs/${t.draftToSubmit}/submit` }), allowed: ['grant_manager'], success: 200 },
  'POST /programs/:id/withdraw': { method: 'post', service: 'proposals', request: (t) => ({ path: `/programs/${t.draftToWithdraw}/withdraw`, body: reason }), allowed: ['grant_manager'], success: 200 },
  'POST /programs/:id/suspend': { method: 'post', service: 'proposals', request: (t) => ({ path: `/programs/${t.approvedToSuspend}/suspend`, body: reason }), allowed: ['reviewer'], success: 200 },
  'POST /programs/:id/reinstate': { method: 'post', service: 'proposals', request: (t) => ({ path: `/programs/${t.suspendedToReinstate}/reinstate`, body: reason }), allowed: ['reviewer'], success: 200 },
  'POST /programs/:id/close': { method: 'post', service: 'proposals', request: (t) => ({ path: `/programs/${t.approvedToClose}/close`, body: reason }), allowed: ['grant_manager'], success: 200 },

  'GET /reviews': { method: 'get', service: 'reviews', request: () => ({ path: '/reviews' }), allowed: ['reviewer', 'auditor'], success: 200 },
  'GET /reviews/:id': { method: 'get', service: 'reviews', request: (t) => ({ path: `/reviews/${t.anyReview}` }), allowed: ['reviewer', 'auditor', 'grant_manager'], success: 200 },
  'POST /reviews/:id/decisions': {
    method: 'post',
    service: 'reviews',
    request: (t) => ({ path: `/reviews/${t.openReview}/decisions`, body: { decision: 'APPROVE', rationale: RATIONALE } }),
    allowed: ['reviewer'],
    success: 200,
  },
  'GET /restricted-parties': { method: 'get', service: 'reviews', request: () => ({ path: '/restricted-parties' }), allowed: ['admin', 'reviewer', 'auditor'], success: 200 },
  'POST /restricted-parties': {
    method: 'post',
    service: 'reviews',
    request: () => ({ path: '/restricted-parties', body: { name: 'Authorisation Test Party', reason: 'Fictional entry for the test.', source: 'Test' } }),
    allowed: ['admin'],
    success: 201,
  },
  'DELETE /restricted-parties/:id': { method: 'delete', service: 'reviews', request: (t) => ({ path: `/restricted-parties/${t.partyToRemove}` }), allowed: ['admin'], success: 200 },
  'GET /priority-areas/:country': { method: 'get', service: 'reviews', request: () => ({ path: '/priority-areas/HN' }), allowed: ANY, success: 200 },
  'PUT /priority-areas/:country': {
    method: 'put',
    service: 'reviews',
    request: (t) => ({ path: '/priority-areas/GT', body: { areas: t.gtAreas } }),
    allowed: ['admin'],
    success: 200,
  },
  'GET /thresholds': { method: 'get', service: 'reviews', request: () => ({ path: '/thresholds' }), allowed: ANY, success: 200 },
  'GET /thresholds/:name': { method: 'get', service: 'reviews', request: () => ({ path: '/thresholds/high-value' }), allowed: ANY, success: 200 },
  'PUT /thresholds/:name': {
    method: 'put',
    service: 'reviews',
    request: () => ({ path: '/thresholds/high-value', body: { amountCents: 750_000_000 } }),
    allowed: ['admin'],
    success: 200,
  },
};

const PERSON: Record<Role, Person> = {
  grant_manager: people.manager,
  reviewer: people.reviewer,
  approver: people.approver,
  scheduler: people.scheduler,
  auditor: people.auditor,
  admin: people.admin,
};
const CALLERS: Caller[] = [...ANY, 'no token', 'forged token'];
// Refusals first: they must change nothing, so the one allowed call per endpoint still finds its target as prepared.
const CASES = Object.keys(ENDPOINTS).flatMap((endpoint) =>
  [...CALLERS]
    .sort((a, b) => Number(ENDPOINTS[endpoint].allowed.includes(a as Role)) - Number(ENDPOINTS[endpoint].allowed.includes(b as Role)))
    .map((caller) => [endpoint, caller] as const),
);

describe('authorisation of every proposals and reviews endpoint for every role, and without a valid token', () => {
  let sys: TestSystem;
  let targets: Targets;

  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['proposals', 'reviews'] });
    const flow = new ProgramFlow(sys);
    const [anyProgram, draftToRevise, draftToSubmit, draftToWithdraw, approvedToSuspend, suspendedToReinstate, approvedToClose, open] =
      await Promise.all([
        flow.driveTo('DRAFT'),
        flow.driveTo('DRAFT'),
        flow.driveTo('DRAFT'),
        flow.driveTo('DRAFT'),
        flow.driveTo('APPROVED'),
        flow.driveTo('SUSPENDED'),
        flow.driveTo('APPROVED'),
        flow.underReview(),
      ]);
    const party = await sys
      .http('reviews')
      .post('/restricted-parties')
      .set(sys.auth(people.admin))
      .send({ name: 'Party To Remove Ltd.', reason: 'Fictional entry for the test.', source: 'Test' })
      .expect(201);
    const gt = await sys.http('reviews').get('/priority-areas/GT').set(sys.auth(people.admin)).expect(200);
    targets = {
      anyProgram: anyProgram.id,
      draftToRevise: { id: draftToRevise.id, version: draftToRevise.version },
      draftToSubmit: draftToSubmit.id,
      draftToWithdraw: draftToWithdraw.id,
      approvedToSuspend: approvedToSuspend.id,
      suspendedToReinstate: suspendedToReinstate.id,
      approvedToClose: approvedToClose.id,
      anyReview: approvedToClose.currentReviewId as string,
      openReview: open.reviewId,
      partyToRemove: party.body.id,
      gtAreas: gt.body.areas,
    };
  }, 60_000);
  afterAll(() => sys?.stop());

  it.each(CASES)('%s as %s', async (name, caller) => {
    const endpoint = ENDPOINTS[name];
    const { path, body } = endpoint.request(targets);
    let req = sys.http(endpoint.service)[endpoint.method](path);
    if (caller === 'forged token') {
      req = req.set('Authorization', `Bearer ${sys.token(people.admin, 'a-different-secret-of-at-least-32-characters')}`);
    } else if (caller !== 'no token') {
      req = req.set(sys.auth(PERSON[caller]));
    }
    const res = await (body ? req.send(body) : req);

    if (caller === 'no token' || caller === 'forged token') {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    } else if (endpoint.allowed.includes(caller)) {
      expect({ status: res.status, body: res.body }).toMatchObject({ status: endpoint.success });
    } else {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
  });

  it('recorded every refusal as access.denied in the service that refused it', async () => {
    const refusals = CASES.filter(([name, caller]) => !ENDPOINTS[name].allowed.includes(caller as Role));
    const expected = { proposals: 0, reviews: 0 } as Record<string, number>;
    for (const [name] of refusals) expected[ENDPOINTS[name].service] += 1;
    for (const service of ['proposals', 'reviews']) {
      const [row] = await sys.query<{ n: string }>(`SELECT count(*) AS n FROM ${service}.outbox WHERE type = 'access.denied'`);
      expect(Number(row.n)).toBe(expected[service]);
    }
  });
});
