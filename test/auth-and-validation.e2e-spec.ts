import jwt from 'jsonwebtoken';
import { generateKeyPairSync } from 'node:crypto';
import { TestSystem } from './support/test-system.js';
import { people, programBody } from './support/fixtures.js';

describe('authentication, authorisation and validation at the edge', () => {
  let sys: TestSystem;
  let secret: string;
  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['proposals', 'audit'] });
    secret = sys.config('proposals').jwtSecret;
  });
  afterAll(() => sys?.stop());

  const claims = { sub: 'gm-ana', roles: ['grant_manager'], org: 'USAID' };
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
    JSON.stringify(claims),
  ).toString('base64url')}.`;

  const cases: Array<[string, () => string | null]> = [
    ['a missing token', () => null],
    ['a bad signature', () => jwt.sign(claims, 'not-the-secret-not-the-secret-not-the-secret')],
    ['alg: none', () => unsigned],
    ['an expired token', () => jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, secret)],
    ['an RS256 token', () => jwt.sign(claims, privateKey, { algorithm: 'RS256' })],
    ['a token without sub', () => jwt.sign({ roles: ['grant_manager'] }, secret)],
  ];

  it.each(cases)('answers 401 for %s and audits it as access.denied', async (label, token) => {
    const t = token();
    const correlationId = `auth-${label.replace(/\W+/g, '-')}`;
    const req = sys.http('proposals').post('/programs').set('X-Correlation-Id', correlationId).send(programBody());
    const res = await (t ? req.set('Authorization', `Bearer ${t}`) : req);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED', correlationId });
    await sys.eventually(async () => {
      const rows = await sys.query<{ type: string; payload: { statusCode: number } }>(
        `SELECT type, payload::jsonb AS payload FROM audit.ledger WHERE correlation_id = $1`,
        [correlationId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ type: 'access.denied', payload: { statusCode: 401 } });
    });
  });

  it('answers 403 FORBIDDEN for a wrong role, audited with the actor', async () => {
    const res = await sys
      .http('proposals')
      .post('/programs')
      .set(sys.auth(people.approver))
      .set('X-Correlation-Id', 'auth-wrong-role')
      .send(programBody())
      .expect(403);
    expect(res.body.code).toBe('FORBIDDEN');
    await sys.eventually(async () => {
      const rows = await sys.query<{ actor_id: string }>(`SELECT actor_id FROM audit.ledger WHERE correlation_id = 'auth-wrong-role'`);
      expect(rows).toEqual([{ actor_id: people.approver.sub }]);
    });
    expect(await sys.query(`SELECT id FROM proposals.programs`)).toHaveLength(0);
  });

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['an unknown field', { status: 'APPROVED' }, 'status'],
    ['a wrong type', { budgetCents: '1000' }, 'budgetCents'],
    ['an out-of-range value', { assessmentCadenceDays: 10 }, 'assessmentCadenceDays'],
    ['a nested unknown field', { implementingPartner: { name: 'X Org', country: 'GT', approvedBy: 'me' } }, 'implementingPartner.approvedBy'],
  ];

  it.each(invalid)('answers 400 VALIDATION_FAILED naming the field for %s, writing nothing', async (_, override, field) => {
    const res = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody(override)).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await sys.query(`SELECT id FROM proposals.programs`)).toHaveLength(0);
    expect(await sys.query(`SELECT id FROM proposals.outbox WHERE type = 'program.drafted'`)).toHaveLength(0);
  });

  it('answers 400 for malformed JSON and a non-uuid id, never 500', async () => {
    const bad = await sys
      .http('proposals')
      .post('/programs')
      .set(sys.auth(people.manager))
      .set('Content-Type', 'application/json')
      .send('{"title": ')
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const id = await sys.http('proposals').get('/programs/not-a-uuid').set(sys.auth(people.manager)).expect(400);
    expect(id.body.details).toEqual([{ field: 'id', problems: ['must be a uuid'] }]);
    const missing = await sys.http('proposals').get('/programs/0190a0a0-0000-7000-8000-000000000000').set(sys.auth(people.manager)).expect(404);
    expect(missing.body.code).toBe('NOT_FOUND');
  });

  it.each([
    ['limit=1&limit=2', 'limit'],
    ['status=DRAFT&status=APPROVED', 'status'],
    ['q=water&q=schools', 'q'],
  ])('says a query parameter sent more than once (%s) must be given once', async (query, field) => {
    const res = await sys.http('proposals').get(`/programs?${query}`).set(sys.auth(people.manager)).expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field, problems: ['must be given once, as one value'] }] });
  });

  it('leaves a repeated parameter the list does not know to the whitelist', async () => {
    const res = await sys.http('proposals').get('/programs?colour=red&colour=blue').set(sys.auth(people.manager)).expect(400);
    expect(res.body.details).toEqual([{ field: 'colour', problems: ['property colour should not exist'] }]);
  });

  it.each([
    ['form-encoded (curl -d without a type)', 'application/x-www-form-urlencoded', 'title=Youth+employment'],
    ['plain text', 'text/plain', JSON.stringify(programBody())],
    ['JSON in a charset other than UTF-8', 'application/json; charset=latin1', JSON.stringify(programBody())],
  ])('answers 415 UNSUPPORTED_MEDIA_TYPE for a body sent %s, writing nothing', async (_, type, body) => {
    const res = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).set('Content-Type', type).send(body).expect(415);
    expect(res.body).toEqual(expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE', correlationId: expect.any(String) }));
    expect(await sys.query(`SELECT id FROM proposals.programs`)).toHaveLength(0);
  });

  it('takes a command with an empty body (Content-Length: 0, no Content-Type) and refuses a corrupt compressed body with 400', async () => {
    const created = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody()).expect(201);
    const withdraw = { reason: 'Merged into another program' };
    await sys.http('proposals').post(`/programs/${created.body.id}/submit`).set(sys.auth(people.manager)).set('Content-Length', '0').expect(200);
    const gzip = await sys
      .http('proposals')
      .post(`/programs/${created.body.id}/withdraw`)
      .set(sys.auth(people.manager))
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send(JSON.stringify(withdraw))
      .expect(400);
    expect(gzip.body.code).toBe('VALIDATION_FAILED');
    await sys.http('proposals').post(`/programs/${created.body.id}/withdraw`).set(sys.auth(people.manager)).send(withdraw).expect(200);
  });

  it('keeps health, metrics and docs open', async () => {
    await sys.http('proposals').get('/health/live').expect(200);
    await sys.http('proposals').get('/health/ready').expect(200);
    const metrics = await sys.http('proposals').get('/metrics').expect(200);
    expect(metrics.text).toContain('http_requests_total');
    const docs = await sys.http('proposals').get('/docs-json').expect(200);
    expect(docs.body.paths['/programs']).toBeDefined();
  });
});
