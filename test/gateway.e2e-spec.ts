import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import request from 'supertest';
import { ROLES, SERVICES } from '#libs/contracts';
import { ChangeSignals } from '#libs/common';
import { eventually, TEST_REDIS_URL } from '#libs/testing';
import { CONSOLE_CONFIG, GatewaySystem } from './browser/gateway-system.js';
import { people, programBody } from './support/fixtures.js';

function expectSecurityHeaders(headers: Record<string, unknown>): void {
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('SAMEORIGIN');
  expect(headers['content-security-policy']).toContain("default-src 'self'");
  expect(headers['x-powered-by']).toBeUndefined();
}

describe('gateway: one origin for every service, the console and the docs', () => {
  let system: GatewaySystem;
  const sys = () => system.sys;
  const http = () => request(system.gateway.getHttpServer());

  beforeAll(async () => {
    system = await GatewaySystem.start();
  }, 180_000);
  afterAll(() => system?.stop());

  it('proxies writes and reads with their status codes, bodies and correlation id', async () => {
    const created = await http()
      .post('/programs')
      .set(sys().auth(people.manager))
      .set('X-Correlation-Id', 'gw-create-1')
      .send(programBody({ title: 'Through the gateway' }))
      .expect(201);
    expect(created.headers['x-correlation-id']).toBe('gw-create-1');
    expect(created.body).toMatchObject({ status: 'DRAFT', version: 1, title: 'Through the gateway' });

    const read = await http().get(`/programs/${created.body.id}`).set(sys().auth(people.reviewer)).expect(200);
    expect(read.body).toMatchObject({ id: created.body.id, status: 'DRAFT' });
    expectSecurityHeaders(read.headers);

    const list = await http().get('/programs').query({ q: 'Through the gateway' }).set(sys().auth(people.auditor)).expect(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toContain(created.body.id);

    // The event the service emitted carries the id the client chose at the gateway.
    const rows = await sys().eventually(async () => {
      const found = await sys().query<{ correlation_id: string }>(
        `SELECT correlation_id FROM audit.ledger WHERE aggregate_id = $1`,
        [created.body.id],
      );
      expect(found).toHaveLength(1);
      return found;
    });
    expect(rows[0].correlation_id).toBe('gw-create-1');
  });

  it('passes refusals through unchanged: a 400 naming fields and a 401', async () => {
    const invalid = await http()
      .post('/programs')
      .set(sys().auth(people.manager))
      .set('X-Correlation-Id', 'gw-invalid-1')
      .send(programBody({ budgetCents: 'lots', extra: true }))
      .expect(400);
    expect(invalid.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', correlationId: 'gw-invalid-1' });
    expect(invalid.body.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['budgetCents', 'extra']));

    const anonymous = await http().get('/audit/head').expect(401);
    expect(anonymous.body).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
    // Without a client id the gateway makes one, and the service answers with the same.
    expect(anonymous.body.correlationId).toBe(anonymous.headers['x-correlation-id']);
    expect(anonymous.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('routes each prefix to its owning service', async () => {
    await http().get('/reviews').set(sys().auth(people.reviewer)).expect(200);
    await http().get('/restricted-parties').set(sys().auth(people.admin)).expect(200);
    const areas = await http().get('/priority-areas/GT').set(sys().auth(people.manager)).expect(200);
    expect(Array.isArray(areas.body.areas)).toBe(true);
    await http().get('/disbursements').set(sys().auth(people.approver)).expect(200);
    await http().get('/assessments').set(sys().auth(people.scheduler)).expect(200);
    const verify = await http().get('/audit/verify').set(sys().auth(people.auditor)).expect(200);
    expect(verify.body.valid).toBe(true);
    // Only the prefix itself or paths below it are proxied.
    await http().get('/programsX').expect(404);
  });

  it('tells the service who the client is (X-Forwarded-For), so the rate limiter counts clients, not the gateway', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await http().get('/programs').set(sys().auth(people.auditor)).set('X-Forwarded-For', '203.0.113.7').expect(200);
      // The test client is on loopback, a trusted hop like the gateway itself: the address before it counts.
      // Far from its limit the service counts locally and reports to Redis every 100 ms.
      const key = `${sys().redisPrefix}:ratelimit:proposals:203.0.113.7`;
      await eventually(async () => expect(await redis.get(key)).toBe('1'), 2_000);
    } finally {
      redis.disconnect();
    }
  });

  it('streams a held read back, and releases it at the service when the client hangs up', async () => {
    const created = await http().post('/programs').set(sys().auth(people.manager)).send(programBody()).expect(201);
    const path = `/programs/${created.body.id}`;
    const etagOf = async (at: string) => (await http().get(at).set(sys().auth(people.manager)).expect(200)).headers.etag as string;
    const signals = sys().app('proposals').get(ChangeSignals);
    const heldFor = (at: string, version: string, signal?: AbortSignal) =>
      fetch(`${system.url}${at}`, { headers: { ...sys().auth(people.manager), Prefer: 'wait=20', 'If-None-Match': version }, signal });

    const answered = heldFor(path, await etagOf(path));
    await sys().eventually(async () => expect(signals.size).toBe(1));
    await http().post(`${path}/submit`).set(sys().auth(people.manager)).expect(200);
    const changed = await answered;
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { status: string }).status).not.toBe('DRAFT');

    // A draft nobody touches: only the client's hang-up can end this read before 20 s.
    const idle = `/programs/${(await http().post('/programs').set(sys().auth(people.manager)).send(programBody()).expect(201)).body.id}`;
    const gone = new AbortController();
    heldFor(idle, await etagOf(idle), gone.signal).catch(() => undefined);
    await sys().eventually(async () => expect(signals.size).toBe(1));
    gone.abort();
    // The gateway drops its connection to the service, so the service's next recheck (every 2 s)
    // finds it closed and stops; a read still held would wait for its program again at once.
    await new Promise((r) => setTimeout(r, 2_500));
    const waiting: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      waiting.push(signals.size);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Math.max(...waiting)).toBe(0);
  });

  it('lists development people with working tokens, one or more per role', async () => {
    const res = await http().get('/console/people').expect(200);
    const roles = new Set(res.body.flatMap((p: { roles: string[] }) => p.roles));
    expect([...roles].sort()).toEqual([...ROLES].sort());
    const reviewers = res.body.filter((p: { roles: string[] }) => p.roles.includes('reviewer'));
    expect(reviewers).toHaveLength(2);
    const auditor = res.body.find((p: { roles: string[] }) => p.roles.includes('auditor'));
    await http().get('/audit/head').set('Authorization', `Bearer ${auditor.token}`).expect(200);
  });

  it('hides the people list in production', async () => {
    const production = await system.extraGateway({ nodeEnv: 'production' });
    try {
      await request(production.getHttpServer()).get('/console/people').expect(404);
    } finally {
      await production.close();
    }
  });

  it('serves the console at / when built, and explains when it is not', async () => {
    if (existsSync(CONSOLE_CONFIG)) {
      const res = await http().get('/').expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toMatch(/<div id="root">/);
    }
    const bare = await system.extraGateway({}, join(system.consoleDir, 'absent'));
    try {
      const res = await request(bare.getHttpServer()).get('/').expect(404);
      expect(res.body.message).toMatch(/npm run build:console/);
    } finally {
      await bare.close();
    }
  });

  it('serves one OpenAPI document merging every service', async () => {
    const res = await http().get('/docs-json').expect(200);
    const paths = Object.keys(res.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/programs', '/reviews/{id}/decisions', '/disbursements', '/assessments', '/audit/verify', '/health/ready', '/console/people']),
    );
    await http().get('/docs').expect(200).expect('Content-Type', /text\/html/);
  });

  it('counts proxied requests in its metrics', async () => {
    const res = await http().get('/metrics').expect(200);
    expect(res.text).toMatch(/http_requests_total\{method="POST",route="\/programs",status="201"\}/);
  });

  it('is ready only when every service is, and answers 503 for a service that is down', async () => {
    const ready = await http().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(Object.keys(ready.body.upstreams).sort()).toEqual([...SERVICES].sort());
    expect(ready.body.upstreams.proposals).toEqual({ status: 'up', detail: { postgres: 'up', redis: 'up' } });
    expectSecurityHeaders((await http().get('/health/live').expect(200)).headers);

    await sys().stopService('audit');
    const degraded = await http().get('/health/ready').expect(503);
    expect(degraded.body.status).toBe('error');
    expect(degraded.body.upstreams.audit).toEqual({ status: 'down', detail: { unreachable: 'ECONNREFUSED' } });
    expect(degraded.body.upstreams.proposals.status).toBe('up');
    // The public edge does not tell where the services or their databases are.
    expect(JSON.stringify([ready.body, degraded.body])).not.toMatch(/127\.0\.0\.1|localhost|:\d{4,5}\b/);

    const down = await http().get('/audit/head').set(sys().auth(people.auditor)).set('X-Correlation-Id', 'gw-down-1').expect(503);
    expect(down.body).toEqual({
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('audit'),
      correlationId: 'gw-down-1',
    });
    expect(down.headers['x-correlation-id']).toBe('gw-down-1');
    expectSecurityHeaders(down.headers);
  });
});
