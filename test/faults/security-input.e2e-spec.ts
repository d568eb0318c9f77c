import fc from 'fast-check';
import { v4 as uuidv4 } from 'uuid';
import { ERROR_CODES, ROLES, type ErrorCode, type ServiceName } from '#libs/contracts';
import { TestSystem, type Person } from '../support/test-system.js';
import { people, programBody } from '../support/fixtures.js';
import { ProgramFlow, RATIONALE } from '../support/program-flow.js';
import { GUARDED_SERVICES, ROUTE_TABLE, concretePath, routeKey, type RouteSpec } from '../support/route-table.js';

/** One write endpoint, aimed at a resource in a state where its valid body would succeed. */
interface WriteTarget {
  key: string;
  service: ServiceName;
  method: 'post' | 'put' | 'patch' | 'delete';
  path: string;
  as: Person;
  /** The body that would be accepted; null for endpoints that take none. */
  valid: Record<string, unknown> | null;
  /** Fields of `valid` that may be left out. */
  optional?: string[];
}

const MASS_ASSIGNED: Record<string, unknown> = {
  status: 'APPROVED',
  approvedBy: 'ap-elena',
  createdBy: 'gm-bruno',
  version: 99,
  id: '0190a0a0-0000-7000-8000-000000000000',
  reservedCents: 0,
  approvals: [{ approverId: 'ap-elena', at: '2027-01-01T00:00:00Z' }],
};

/** Tables a request could write to; the inbox and sequence only move with consumed events. */
const SKIPPED_TABLES = new Set(['inbox', 'outbox_sequence', 'migrations']);

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** The answer, or status 599 when the connection dropped or the deadline passed: either is a finding. */
function answerOf(request: PromiseLike<Answer>): Promise<Answer> {
  return Promise.resolve(request).catch((err: Error) => ({ status: 599, body: { error: err.message } }));
}

/** Runs a property 40 times (FC_SEED replays a run) and adds fast-check's shrunk counterexample to the failures. */
function runProperty<Ts extends unknown[]>(property: fc.IAsyncProperty<Ts>, failures: string[]): Promise<unknown> {
  return fc
    .assert(property, { numRuns: 40, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31), endOnFailure: true })
    .catch((err: Error) => failures.push(err.message.split('\n', 3).map((line) => line.slice(0, 300)).join('\n')));
}

describe('security: mass assignment and generated bad bodies on every write endpoint', () => {
  let sys: TestSystem;
  let targets: WriteTarget[];

  beforeAll(async () => {
    sys = await TestSystem.start({ services: [...GUARDED_SERVICES] });
    const flow = new ProgramFlow(sys);
    const draft = await flow.create();
    const approved = await flow.driveTo('APPROVED');
    const suspended = await flow.driveTo('SUSPENDED');
    const { reviewId } = await flow.underReview();
    await sys.eventually(() => sys.http('disbursements').get(`/funding-accounts/${approved.id}`).set(sys.auth(people.auditor)).expect(200));
    const disbursement = await sys
      .http('disbursements')
      .post('/disbursements')
      .set(sys.auth(people.manager))
      .send({ programId: approved.id, amountCents: 1_000_000, purpose: 'First tranche of training equipment' })
      .expect(201);
    const scheduled = await sys.eventually(async () => {
      const res = await sys.http('assessments').get('/assessments').query({ programId: approved.id, status: 'SCHEDULED' }).set(sys.auth(people.scheduler)).expect(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      return res.body.items[0].id as string;
    });
    const due = await sys
      .http('assessments')
      .post('/assessments')
      .set(sys.auth(people.scheduler))
      .send({ programId: approved.id, reason: 'Press reports of irregular hiring' })
      .expect(201);
    const party = await sys
      .http('reviews')
      .post('/restricted-parties')
      .set(sys.auth(people.admin))
      .send({ name: 'Constructora Ejemplo', reason: 'Designated (fictional)', source: 'Test list' })
      .expect(201);
    // Set once, so the threshold is at version 1: bodies whose expectedVersion reads as 0 ("-0", "1e-400") are stale, not writes.
    await sys.http('reviews').put('/thresholds/dual-approval').set(sys.auth(people.admin)).send({ amountCents: 120_000_000 }).expect(200);
    const reason = { reason: 'A reason the other side can act on' };
    targets = [
      { key: 'POST /programs', service: 'proposals', method: 'post', path: '/programs', as: people.manager, valid: programBody(), optional: ['cofunding', 'assessmentCadenceDays'] },
      { key: 'PATCH /programs/{id}', service: 'proposals', method: 'patch', path: `/programs/${draft.id}`, as: people.manager, valid: { title: 'A better title for the program', expectedVersion: draft.version }, optional: ['title'] },
      { key: 'POST /programs/{id}/submit', service: 'proposals', method: 'post', path: `/programs/${draft.id}/submit`, as: people.manager, valid: null },
      { key: 'POST /programs/{id}/withdraw', service: 'proposals', method: 'post', path: `/programs/${draft.id}/withdraw`, as: people.manager, valid: reason },
      { key: 'POST /programs/{id}/suspend', service: 'proposals', method: 'post', path: `/programs/${approved.id}/suspend`, as: people.reviewer, valid: reason },
      { key: 'POST /programs/{id}/reinstate', service: 'proposals', method: 'post', path: `/programs/${suspended.id}/reinstate`, as: people.reviewer, valid: reason },
      { key: 'POST /programs/{id}/close', service: 'proposals', method: 'post', path: `/programs/${approved.id}/close`, as: people.manager, valid: reason },
      { key: 'POST /reviews/{id}/decisions', service: 'reviews', method: 'post', path: `/reviews/${reviewId}/decisions`, as: people.reviewer, valid: { decision: 'APPROVE', rationale: RATIONALE } },
      { key: 'POST /restricted-parties', service: 'reviews', method: 'post', path: '/restricted-parties', as: people.admin, valid: { name: 'Another Party S.A.', reason: 'Designated', source: 'Test list' } },
      { key: 'DELETE /restricted-parties/{id}', service: 'reviews', method: 'delete', path: `/restricted-parties/${party.body.id}`, as: people.admin, valid: null },
      { key: 'PUT /priority-areas/{country}', service: 'reviews', method: 'put', path: '/priority-areas/GT', as: people.admin, valid: { areas: ['Huehuetenango', 'San Marcos'] } },
      { key: 'PUT /thresholds/{name}', service: 'reviews', method: 'put', path: '/thresholds/dual-approval', as: people.admin, valid: { amountCents: 150_000_000, expectedVersion: 1 }, optional: ['expectedVersion'] },
      { key: 'POST /disbursements', service: 'disbursements', method: 'post', path: '/disbursements', as: people.manager, valid: { programId: approved.id, amountCents: 2_000_000, purpose: 'Second tranche' } },
      { key: 'POST /disbursements/{id}/approve', service: 'disbursements', method: 'post', path: `/disbursements/${disbursement.body.id}/approve`, as: people.approver, valid: { comment: 'Invoices checked' }, optional: ['comment'] },
      { key: 'POST /disbursements/{id}/reject', service: 'disbursements', method: 'post', path: `/disbursements/${disbursement.body.id}/reject`, as: people.approver, valid: reason },
      { key: 'POST /disbursements/{id}/release', service: 'disbursements', method: 'post', path: `/disbursements/${disbursement.body.id}/release`, as: people.approver, valid: { paymentReference: 'WIRE-2027-0001' } },
      { key: 'POST /disbursements/{id}/cancel', service: 'disbursements', method: 'post', path: `/disbursements/${disbursement.body.id}/cancel`, as: people.manager, valid: reason },
      { key: 'PUT /assessments/plans/{programId}', service: 'assessments', method: 'put', path: `/assessments/plans/${approved.id}`, as: people.scheduler, valid: { cadenceDays: 60 } },
      { key: 'POST /assessments', service: 'assessments', method: 'post', path: '/assessments', as: people.scheduler, valid: { programId: approved.id, reason: 'Ad-hoc visit' } },
      { key: 'POST /assessments/{id}/reschedule', service: 'assessments', method: 'post', path: `/assessments/${scheduled}/reschedule`, as: people.scheduler, valid: { dueAt: '2030-05-15T00:00:00Z', reason: 'Rainy season' } },
      { key: 'POST /assessments/{id}/outcome', service: 'assessments', method: 'post', path: `/assessments/${due.body.id}/outcome`, as: people.reviewer, valid: { outcome: 'CONTINUE', narrative: 'Placements are on track in every municipality.', indicatorResults: [{ indicator: 'Youth placed in jobs', value: 340 }] } },
    ];
    await quiet();
  }, 120_000);
  afterAll(() => sys?.stop());

  /** What every service's tables hold: row content of its own tables, and how many events it emitted. */
  async function footprint(): Promise<Record<string, string>> {
    const tables = await sys.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
      [['proposals', 'reviews', 'disbursements', 'assessments']],
    );
    const result: Record<string, string> = {};
    for (const { schema, name } of tables) {
      if (SKIPPED_TABLES.has(name)) continue;
      // The relay stamps published_at on outbox rows at its own pace: only their number matters.
      const sql =
        name === 'outbox'
          ? `SELECT count(*)::text AS v FROM "${schema}".outbox`
          : `SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS v FROM "${schema}"."${name}" t`;
      result[`${schema}.${name}`] = (await sys.query<{ v: string }>(sql))[0].v;
    }
    return result;
  }

  /** Waits until the events of the setup have been consumed everywhere, so the footprint holds still. */
  async function quiet() {
    let last = JSON.stringify(await footprint());
    await sys.eventually(async () => {
      await new Promise((r) => setTimeout(r, 300));
      const now = JSON.stringify(await footprint());
      const stable = now === last;
      last = now;
      expect(stable).toBe(true);
    }, 20_000);
  }

  interface Parameter {
    name: string;
    in: string;
  }
  const documents = new Map<ServiceName, Record<string, Record<string, { parameters?: Parameter[] }>>>();
  /** The parameters each service's own OpenAPI document declares for one route, fetched once per service. */
  async function parametersOf(service: ServiceName, method: string, path: string): Promise<Parameter[]> {
    if (!documents.has(service)) documents.set(service, (await sys.http(service).get('/docs-json').expect(200)).body.paths);
    return documents.get(service)![path]?.[method.toLowerCase()]?.parameters ?? [];
  }
  const everyone = { sub: 'gm-probe', roles: [...ROLES], org: 'Program Office', name: 'Probe' };

  /** An answer that never comes is a finding too, so every call has a deadline. */
  function send(target: WriteTarget, rawJson: string | null) {
    const req = sys.http(target.service)[target.method](target.path).set(sys.auth(target.as)).timeout(5_000);
    return rawJson === null ? req : req.set('Content-Type', 'application/json').send(rawJson);
  }

  it('has a target for every write endpoint of the route table', () => {
    const writes = ROUTE_TABLE.filter((r) => r.method !== 'GET').map(routeKey).sort();
    expect(targets.map((t) => t.key).sort()).toEqual(writes);
  });

  describe('mass assignment', () => {
    it.each(Object.keys(MASS_ASSIGNED))('refuses `%s` on every create and command endpoint with 400 naming it, writing nothing', async (field) => {
      await quiet();
      const before = await footprint();
      const wrong: string[] = [];
      for (const target of targets) {
        const res = await send(target, JSON.stringify({ ...target.valid, [field]: MASS_ASSIGNED[field] }));
        const named = Array.isArray(res.body.details) && res.body.details.some((d: { field: string }) => d.field === field);
        if (res.status !== 400 || res.body.code !== 'VALIDATION_FAILED' || !named) wrong.push(`${target.key}: ${res.status} ${JSON.stringify(res.body)}`);
      }
      expect(wrong).toEqual([]);
      expect(await footprint()).toEqual(before);
    });
  });

  describe('generated bad bodies', () => {
    const json = (v: unknown) => JSON.stringify(v);
    /** Number literals JSON.parse turns into Infinity, 0 or an imprecise integer. */
    const hugeNumber = fc.constantFrom('1e400', '-1e400', '1e-400', '123456789012345678901234567890', '9007199254740993', '-0');
    const deep = fc.integer({ min: 50, max: 3000 }).chain((depth) =>
      fc.constantFrom('['.repeat(depth) + ']'.repeat(depth), '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
    );
    // Longer than any field allows: the longest, an assessment's narrative, takes 10,000.
    const longString = fc.integer({ min: 10_001, max: 200_000 }).map((n) => json('ü'.repeat(n)));
    const unicode = fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }).map(json);
    const anyJson = fc.jsonValue({ maxDepth: 4 }).map(json);

    /** A value of another JSON type than the one the valid body has at that field, or a string Postgres cannot store. */
    function wrongTypeFor(sample: unknown): fc.Arbitrary<string> {
      // Absurd numbers are wrong for every field: out of range where a number is expected.
      const kinds: Array<fc.Arbitrary<string>> = [hugeNumber, deep, longString];
      if (typeof sample !== 'string') kinds.push(unicode);
      else kinds.push(fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom('\u0000', '\ud800', '\udfff'), fc.string({ maxLength: 20 })).map((parts) => json(parts.join(''))));
      if (typeof sample !== 'number') kinds.push(fc.double().map((d) => (Number.isFinite(d) ? json(d) : '1e400')));
      if (typeof sample !== 'boolean') kinds.push(fc.boolean().map(json));
      if (!Array.isArray(sample)) kinds.push(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }).map(json));
      kinds.push(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map(json));
      return fc.oneof(...kinds);
    }

    /** JSON text the endpoint must refuse: never a 5xx, never a 2xx, never a write. */
    function badBody({ valid, optional = [] }: WriteTarget): fc.Arbitrary<string> {
      const base = json(valid ?? {});
      const withKey = (key: string, value: string) => `${base.slice(0, -1)}${base.length > 2 ? ',' : ''}${json(key)}:${value}}`;
      const strayKey = fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'status', 'ownerId'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((k) => !(valid && k in valid)),
      );
      const kinds: Array<fc.Arbitrary<string>> = [
        // Not an object at all.
        fc.oneof(anyJson.filter((t) => !t.startsWith('{')), hugeNumber, deep.filter((t) => t.startsWith('['))),
        // A field nobody declared, including prototype-polluting ones.
        fc.tuple(strayKey, fc.oneof(anyJson, fc.constant('{"isAdmin":true,"roles":["admin"]}'), deep)).map(([k, v]) => withKey(k, v)),
        fc.constantFrom('{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}').map((polluted) =>
          base.length > 2 ? `${polluted.slice(0, -1)},${base.slice(1)}` : polluted,
        ),
      ];
      const fields = Object.keys(valid ?? {});
      if (fields.length > 0) {
        // A declared field with the wrong type, an absurd number or a malicious nesting.
        kinds.push(
          fc.constantFrom(...fields).chain((field) =>
            wrongTypeFor(valid![field]).map((value) => {
              const rest = { ...valid };
              delete rest[field];
              const others = json(rest);
              return `${others.slice(0, -1)}${others.length > 2 ? ',' : ''}${json(field)}:${value}}`;
            }),
          ),
        );
      }
      const required = fields.filter((f) => !optional.includes(f));
      if (required.length > 0) {
        // A required field left out.
        kinds.push(
          fc.constantFrom(...required).map((field) => {
            const rest = { ...valid };
            delete rest[field];
            return json(rest);
          }),
        );
      }
      return fc.oneof(...kinds);
    }

    const writeRoutes = ROUTE_TABLE.filter((r) => r.method !== 'GET').map(routeKey);
    it.each(writeRoutes)('%s refuses them without a 500 or a write', async (key) => {
      const target = targets.find((t) => t.key === key)!;
      await quiet();
      const before = await footprint();
      const failures: string[] = [];
      await runProperty(
        fc.asyncProperty(badBody(target), async (raw) => {
          const res = await answerOf(send(target, raw));
          if (res.status >= 500 || res.status < 400) {
            const shown = raw.length > 400 ? `${raw.slice(0, 200)}…(${raw.length} chars)…${raw.slice(-200)}` : raw;
            failures.push(`${target.key} ${shown} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
            return false;
          }
          return true;
        }),
        failures,
      );
      expect(failures).toEqual([]);
      expect(await footprint()).toEqual(before);
    });
  });

  describe('text Postgres cannot store: U+0000 and lone surrogates', () => {
    const NUL = 'Held\u0000back';
    const LONE_SURROGATE = 'Held\ud800back';

    /** A 400 VALIDATION_FAILED that names the field and the character; a dropped connection counts as a failure. */
    async function refusesNaming(request: PromiseLike<Answer>, field: string): Promise<string | null> {
      const res = await answerOf(request);
      const details = Array.isArray(res.body.details) ? (res.body.details as Array<{ field: string; problems: string[] }>) : [];
      const named = details.some((d) => d.field === field && d.problems.some((p) => p.includes('U+0000')));
      return res.status === 400 && res.body.code === 'VALIDATION_FAILED' && named ? null : `${field}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
    }

    /** The path of every string in a body, nested ones included, as the refusal names it. */
    function stringPaths(value: unknown, path: string[] = []): string[][] {
      if (typeof value === 'string') return [path];
      if (typeof value !== 'object' || value === null) return [];
      return Object.entries(value).flatMap(([key, inner]) => stringPaths(inner, [...path, key]));
    }

    function replaced(value: unknown, [head, ...rest]: string[], by: string): unknown {
      if (head === undefined) return by;
      const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string, unknown>;
      copy[head] = replaced(copy[head], rest, by);
      return copy;
    }

    it.each([
      ['U+0000', NUL],
      ['a lone surrogate', LONE_SURROGATE],
    ])('%s is refused in every string field of every write body with 400 naming the field, writing nothing', async (_, text) => {
      await quiet();
      const before = await footprint();
      const wrong: string[] = [];
      let tried = 0;
      for (const target of targets) {
        for (const path of stringPaths(target.valid)) {
          tried += 1;
          const problem = await refusesNaming(send(target, JSON.stringify(replaced(target.valid, path, text))), path.join('.'));
          if (problem) wrong.push(`${target.key} ${problem}`);
        }
      }
      expect(tried).toBeGreaterThan(20);
      expect(wrong).toEqual([]);
      expect(await footprint()).toEqual(before);
    });

    // A lone surrogate cannot be percent-encoded as UTF-8, so only U+0000 reaches a query or path.
    it('U+0000 is refused in every query and path parameter of every service, from its OpenAPI document, with 400 naming it', async () => {
      const wrong: string[] = [];
      let tried = 0;
      for (const route of ROUTE_TABLE) {
        for (const { name, in: where } of await parametersOf(route.service, route.method, route.path)) {
          if (where !== 'query' && where !== 'path') continue;
          tried += 1;
          const target =
            where === 'path'
              ? concretePath(route.path.replace(`{${name}}`, encodeURIComponent(NUL)), uuidv4())
              : `${concretePath(route.path, uuidv4())}?${name}=${encodeURIComponent(NUL)}`;
          const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
          const problem = await refusesNaming(sys.http(route.service)[method](target).set(sys.auth(everyone)).timeout(5_000), name);
          if (problem) wrong.push(`${routeKey(route)} ${problem}`);
        }
      }
      expect(tried).toBeGreaterThan(30);
      expect(wrong).toEqual([]);
    });
  });

  describe('generated bad queries', () => {
    /** Values a query parameter must survive, percent-encoded as they travel: NUL, bad UTF-8, absurd numbers, injection, size. */
    const HOSTILE = ['%00', 'a%00b', '%C0%80', '%ED%A0%80', '%FF%FE', '%', '%zz', '', '1e400', '-1', '9007199254740993', 'NaN', 'true', 'null', `'%20OR%201=1--`, '%5C%22', 'a'.repeat(5_000)];
    /** One parameter as Express's query parser may read it: a string, a repeated key (an array), `[]` or a nested key (an object). */
    const SHAPES = [(n: string, v: string) => `${n}=${v}`, (n: string, v: string) => `${n}=1&${n}=${v}`, (n: string, v: string) => `${n}%5B%5D=${v}`, (n: string, v: string) => `${n}%5Bx%5D=${v}`];
    // Percent-encoded random bytes and text, for what the table above did not think of.
    const bytes = fc.uint8Array({ maxLength: 24 }).map((raw) => Array.from(raw, (b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent);

    /** Null when the answer is a 2xx or a 4xx of the API (a code it documents and a correlation id), else what went wrong. */
    async function misanswered(route: RouteSpec, query: string): Promise<string | null> {
      const target = `${concretePath(route.path, uuidv4())}?${query}`;
      const res = await answerOf(sys.http(route.service).get(target).set(sys.auth(everyone)).timeout(5_000));
      const fine = res.status < 400 || (res.status < 500 && ERROR_CODES.includes(res.body.code as ErrorCode) && typeof res.body.correlationId === 'string');
      return fine ? null : `GET ${target.slice(0, 200)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
    }

    const reads = ROUTE_TABLE.filter((r) => r.method === 'GET');
    it.each(reads.map((r) => [routeKey(r), r] as const))('%s answers every parameter its document declares, and one it does not, with a 2xx or a 4xx of the API', async (_, route) => {
      // A name nobody declared too, so a route without parameters is tried as well.
      const names = [...(await parametersOf(route.service, route.method, route.path)).filter((p) => p.in === 'query').map((p) => p.name), 'stray'];
      const failures: string[] = [];
      for (const name of names) {
        for (const shape of SHAPES) {
          for (const value of HOSTILE) {
            const failure = await misanswered(route, shape(name, value));
            if (failure) failures.push(failure);
          }
        }
      }
      await runProperty(
        fc.asyncProperty(fc.constantFrom(...names), fc.constantFrom(...SHAPES), fc.oneof(bytes, text), async (name, shape, value) => {
          const failure = await misanswered(route, shape(name, value));
          if (failure) failures.push(failure);
          return failure === null;
        }),
        failures,
      );
      expect(failures).toEqual([]);
    });
  });

  it('let no polluting key reach a prototype or a stored row', async () => {
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).roles).toBeUndefined();
    const tables = await sys.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE'`,
      [['proposals', 'reviews', 'disbursements', 'assessments']],
    );
    for (const { schema, name } of tables) {
      const rows = await sys.query(`SELECT 1 FROM "${schema}"."${name}" t WHERE t::text LIKE '%isAdmin%'`);
      expect({ table: `${schema}.${name}`, rows: rows.length }).toEqual({ table: `${schema}.${name}`, rows: 0 });
    }
  });
});
