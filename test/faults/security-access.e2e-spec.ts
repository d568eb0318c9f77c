import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { v4 as uuidv4 } from 'uuid';
import { ROLES, type Role } from '#libs/contracts';
import { TestSystem } from '../support/test-system.js';
import {
  GUARDED_SERVICES,
  ROUTE_TABLE,
  allows,
  concretePath,
  routeKey,
  routesOfOpenApi,
  type RouteSpec,
} from '../support/route-table.js';

/**
 * Every route of every service, generated from the route table (checked against each service's
 * own OpenAPI document so a new route cannot escape it), against every role and no token.
 */
describe('security: the authorisation matrix and JWT attacks on every service', () => {
  let sys: TestSystem;
  let secret: string;
  /** Correlation ids of the calls that must have left exactly one access.denied in the ledger. */
  const denied = new Set<string>();
  /** Correlation ids of the calls that must have left none. */
  const admitted = new Set<string>();
  let seq = 0;
  const nextCorrelationId = (label: string) => `sec-${label}-${(seq += 1)}`;

  beforeAll(async () => {
    sys = await TestSystem.start({ services: [...GUARDED_SERVICES] });
    secret = sys.config('proposals').jwtSecret;
  });
  afterAll(() => sys?.stop());

  function call(spec: RouteSpec, correlationId: string, token: string | null) {
    const path = concretePath(spec.path, uuidv4());
    const method = spec.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    let req = sys.http(spec.service)[method](path).set('X-Correlation-Id', correlationId);
    if (token !== null) req = req.set('Authorization', `Bearer ${token}`);
    return spec.method === 'GET' || spec.method === 'DELETE' ? req : req.send({});
  }

  const tokenFor = (role: Role) => sys.token({ sub: `matrix-${role}`, roles: [role], name: `Matrix ${role}` });

  describe.each(GUARDED_SERVICES)('%s', (service) => {
    it('serves exactly the routes the table lists (besides health, metrics and docs)', async () => {
      const doc = await sys.http(service).get('/docs-json').expect(200);
      const served = routesOfOpenApi(doc.body).sort();
      const listed = ROUTE_TABLE.filter((r) => r.service === service).map(routeKey).sort();
      expect(served).toEqual(listed);
    });
  });

  it.each(ROUTE_TABLE.map((r) => [routeKey(r), r] as const))(
    '%s: 401 without a token, 403 for roles API.md does not allow, neither for those it does',
    async (_, spec) => {
      const wrong: string[] = [];
      const anonymous = nextCorrelationId('anon');
      const res = await call(spec, anonymous, null);
      if (res.status !== 401 || res.body.code !== 'UNAUTHENTICATED') wrong.push(`no token: ${res.status} ${res.body.code}`);
      denied.add(anonymous);
      for (const role of ROLES) {
        const correlationId = nextCorrelationId(role);
        const answer = await call(spec, correlationId, tokenFor(role));
        if (allows(spec, role)) {
          admitted.add(correlationId);
          if ([401, 403].includes(answer.status) || answer.status >= 500) wrong.push(`${role} (allowed): ${answer.status} ${JSON.stringify(answer.body)}`);
        } else {
          denied.add(correlationId);
          if (answer.status !== 403 || answer.body.code !== 'FORBIDDEN') wrong.push(`${role} (not allowed): ${answer.status} ${answer.body.code}`);
        }
        expect(answer.headers['x-correlation-id']).toBe(correlationId);
      }
      expect(wrong).toEqual([]);
    },
  );

  const claims = { sub: 'attacker', name: 'Mallory', roles: [...ROLES], org: 'Elsewhere' };
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  /** Signs by hand: jsonwebtoken refuses to HMAC with a PEM key, which is exactly the attack. */
  const hmacSigned = (key: string, payload: object) => {
    const signingInput = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
    return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
  };
  const now = () => Math.floor(Date.now() / 1000);

  const attacks: Array<[string, () => string]> = [
    ['alg: none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: now() + 600 })}.`],
    ['a wrong key', () => jwt.sign(claims, 'not-the-secret-not-the-secret-not-the-secret', { algorithm: 'HS256', expiresIn: '1h' })],
    ['an expired token', () => jwt.sign({ ...claims, exp: now() - 60 }, secret, { algorithm: 'HS256' })],
    ['HS256 signed with the RSA public key as secret', () => hmacSigned(publicPem, { ...claims, exp: now() + 600 })],
    ['an RS256 token', () => jwt.sign(claims, privateKey, { algorithm: 'RS256', expiresIn: '1h' })],
    ['HS384 with the right secret', () => jwt.sign(claims, secret, { algorithm: 'HS384', expiresIn: '1h' })],
    ['a token without sub', () => jwt.sign({ roles: [...ROLES] }, secret, { algorithm: 'HS256', expiresIn: '1h' })],
    ['a tampered payload', () => {
      const [header, , signature] = jwt.sign({ ...claims, roles: ['auditor'] }, secret, { expiresIn: '1h' }).split('.');
      return `${header}.${b64({ ...claims, exp: now() + 600 })}.${signature}`;
    }],
  ];

  describe.each(GUARDED_SERVICES)('JWT attacks on %s', (service) => {
    it.each(attacks)('answers 401 UNAUTHENTICATED on every route for %s', async (label, forge) => {
      const token = forge();
      const wrong: string[] = [];
      for (const spec of ROUTE_TABLE.filter((r) => r.service === service)) {
        const correlationId = nextCorrelationId('jwt');
        denied.add(correlationId);
        const res = await call(spec, correlationId, token);
        if (res.status !== 401 || res.body.code !== 'UNAUTHENTICATED') wrong.push(`${routeKey(spec)}: ${res.status} ${res.body.code}`);
      }
      expect({ attack: label, wrong }).toEqual({ attack: label, wrong: [] });
    });
  });

  it('records each 401 and 403 above as one access.denied in the ledger, and no allowed call', async () => {
    expect(denied.size).toBeGreaterThan(ROUTE_TABLE.length);
    await sys.eventually(async () => {
      const rows = await sys.query<{ correlation_id: string; n: number }>(
        `SELECT correlation_id, count(*)::int AS n FROM audit.ledger
          WHERE type = 'access.denied' AND correlation_id LIKE 'sec-%' GROUP BY correlation_id`,
      );
      const counts = new Map(rows.map((r) => [r.correlation_id, r.n]));
      const missing = [...denied].filter((id) => counts.get(id) !== 1);
      const unexpected = [...admitted].filter((id) => counts.has(id));
      expect({ missing: missing.slice(0, 20), missingCount: missing.length, unexpected }).toEqual({ missing: [], missingCount: 0, unexpected: [] });
    }, 30_000);
  });
});
