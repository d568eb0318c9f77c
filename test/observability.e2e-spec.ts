import { PassThrough } from 'node:stream';
import { TestSystem } from './support/test-system.js';
import { people, programBody } from './support/fixtures.js';

/**
 * Parses Prometheus text exposition into { 'name{labels}': value }, failing on any malformed line.
 * Values are read as Prometheus reads them (Go's ParseFloat): NaN in any case, as prom-client
 * writes "Nan" for a gauge with no samples yet (the event loop lag right after a reset).
 */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|[Nn]a[Nn]|[+-]Inf)$/.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    samples.set(match[1], Number(match[2]));
  }
  return samples;
}

describe('observability: correlated JSON logs and Prometheus metrics', () => {
  let sys: TestSystem;
  const lines: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    });
    sys = await TestSystem.start({ services: ['proposals', 'reviews', 'audit'], config: { logLevel: 'info', logStream: stream } });
  });
  afterAll(() => sys?.stop());

  it("writes the request's correlation id on the consuming service's log lines", async () => {
    const created = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody()).expect(201);
    await sys
      .http('proposals')
      .post(`/programs/${created.body.id}/submit`)
      .set(sys.auth(people.manager))
      .set('X-Correlation-Id', 'obs-correlation-1')
      .expect(200);
    await sys.eventually(() => {
      // Services share this test process (and nestjs-pino's out-of-request logger), so the line is
      // identified by its `consumer` field; in production each service is its own process.
      const consumed = lines.filter((l) => l.consumer === 'reviews' && l.correlationId === 'obs-correlation-1');
      expect(consumed).toEqual(expect.arrayContaining([expect.objectContaining({ msg: 'applying event', type: 'program.submitted' })]));
    });
    // The request's own access log line carries it too, in the service that answered it: method,
    // path and status, and no header, so no token.
    const access = lines.filter((l) => l.service === 'proposals' && l.correlationId === 'obs-correlation-1' && l.req);
    expect(access).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        req: { method: 'POST', url: `/programs/${created.body.id}/submit` },
        res: { statusCode: 200 },
      }),
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/Bearer|authorization/i);
  });

  it('serves /metrics as Prometheus text whose counters move', async () => {
    const before = parsePrometheus((await sys.http('reviews').get('/metrics').expect(200)).text);
    const created = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody()).expect(201);
    await sys.http('proposals').post(`/programs/${created.body.id}/submit`).set(sys.auth(people.manager)).expect(200);
    await sys.eventually(async () => {
      const after = parsePrometheus((await sys.http('reviews').get('/metrics').expect(200)).text);
      const key = 'events_consumed_total{type="program.submitted"}';
      expect(after.get(key) ?? 0).toBe((before.get(key) ?? 0) + 1);
    });
    // The relay publishes after the commit that answered the request: the count may lag it.
    await sys.eventually(async () => {
      const proposals = parsePrometheus((await sys.http('proposals').get('/metrics').expect(200)).text);
      expect(proposals.get('http_requests_total{method="POST",route="/programs",status="201"}')).toBeGreaterThanOrEqual(2);
      expect(proposals.get('outbox_published_total')).toBeGreaterThanOrEqual(4);
      expect(proposals.has('queue_jobs{queue="proposals-events",state="failed"}')).toBe(true);
    });
    await sys.eventually(async () => {
      const audit = parsePrometheus((await sys.http('audit').get('/metrics').expect(200)).text);
      expect(audit.get('audit_ledger_head_seq')).toBeGreaterThanOrEqual(4);
    });
  });

  it("counts each source's events that audit knows of from the source's head but has not recorded", async () => {
    const unrecorded = async () => parsePrometheus((await sys.http('audit').get('/metrics').expect(200)).text);
    // Assessments is not running and has recorded nothing: a head of 50 means 50 events missing.
    await sys.query(`INSERT INTO audit.source_heads (source, head_seq, reported_at) VALUES ('assessments', 50, now())`);
    const samples = await unrecorded();
    expect(samples.get('audit_unrecorded_events{source="assessments"}')).toBe(50);
    expect(samples.get('audit_unrecorded_events{source="disbursements"}')).toBe(0);
    // Proposals' relay reports its head every few seconds; everything it gave a number is recorded.
    await sys.eventually(async () => {
      expect(await sys.query(`SELECT 1 FROM audit.source_heads WHERE source = 'proposals'`)).toHaveLength(1);
      expect((await unrecorded()).get('audit_unrecorded_events{source="proposals"}')).toBe(0);
    }, 15_000);
  });

  it('counts the statements each service sends to Postgres', async () => {
    const created = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody()).expect(201);
    const queries = async () => parsePrometheus((await sys.http('proposals').get('/metrics').expect(200)).text).get('db_queries_total') ?? 0;
    const before = await queries();
    // Each read is one statement; the relay's background polls can only add to the count.
    for (let i = 0; i < 20; i += 1) await sys.http('proposals').get(`/programs/${created.body.id}`).set(sys.auth(people.manager)).expect(200);
    expect((await queries()) - before).toBeGreaterThanOrEqual(20);
  });
});
