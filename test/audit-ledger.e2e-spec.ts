import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { Queue } from 'bullmq';
import { SOURCE_HEAD_JOB, carriedEvents, eventQueueName, type EventEnvelope } from '#libs/contracts';
import { TEST_REDIS_URL } from '#libs/testing';
import { rehash } from '../apps/audit/src/ledger/domain/ledger-entry.fixtures.js';
import { chainEntry, storedEntryJson, toStoredEntry, type LedgerEntry } from '../apps/audit/src/ledger/domain/ledger-hash.js';
import { findMissingHeads, findSourceGapsAboveWatermarks, raiseSourceHead } from '../apps/audit/src/ledger/persistence/ledger-sql.js';
import { LedgerReader } from '../apps/audit/src/ledger/persistence/ledger.reader.js';
import { TestSystem } from './support/test-system.js';
import { people, programBody } from './support/fixtures.js';

const auditor = people.auditor;
const execFileAsync = promisify(execFile);

describe('audit ledger: auditor API, app role, completeness and tamper evidence', () => {
  let sys: TestSystem;
  const programIds: string[] = [];

  const audit = () => sys.http('audit');
  const verify = async () => (await audit().get('/audit/verify').set(sys.auth(auditor)).expect(200)).body;
  const headSeq = async () => Number((await audit().get('/audit/head').set(sys.auth(auditor)).expect(200)).body.seq);
  const ledgerCount = async () => Number((await sys.query<{ n: string }>(`SELECT count(*) AS n FROM audit.ledger`))[0].n);
  const outboxCount = async () => Number((await sys.query<{ n: string }>(`SELECT count(*) AS n FROM proposals.outbox`))[0].n);

  const carriedIds = (name: string, data: unknown): string[] => carriedEvents(name, data).map((e) => (e as EventEnvelope).eventId);

  async function createAndSubmit(): Promise<string> {
    const created = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody()).expect(201);
    await sys.http('proposals').post(`/programs/${created.body.id}/submit`).set(sys.auth(people.manager)).expect(200);
    programIds.push(created.body.id);
    return created.body.id as string;
  }

  /** Waits until audit has recorded every event proposals wrote and checkpointed the head. */
  async function settled(): Promise<number> {
    return sys.eventually(async () => {
      const rows = await sys.query<{ n: string }>(`SELECT count(*) AS n FROM audit.ledger WHERE source = 'proposals'`);
      expect(Number(rows[0].n)).toBe(await outboxCount());
      const head = await headSeq();
      const [cp] = await sys.query<{ seq: string }>(`SELECT max(seq) AS seq FROM audit.checkpoints`);
      expect(Number(cp.seq)).toBe(head);
      return head;
    });
  }

  /**
   * Takes out of audit's queue (audit is stopped) the jobs that carry these events, once published:
   * their delivery is lost. Returns the ids of every event those jobs carried.
   */
  async function withholdFromAudit(eventIds: string[]): Promise<string[]> {
    const queue = new Queue(eventQueueName('audit'), { connection: { url: TEST_REDIS_URL }, prefix: sys.redisPrefix });
    try {
      const jobs = await sys.eventually(async () => {
        const waiting = await queue.getJobs(['waiting', 'prioritized']);
        const found = waiting.filter((j) => carriedIds(j.name, j.data).some((id) => eventIds.includes(id)));
        expect(found.flatMap((j) => carriedIds(j.name, j.data))).toEqual(expect.arrayContaining(eventIds));
        return found;
      });
      for (const job of jobs) await queue.remove(job.id!);
      return jobs.flatMap((j) => carriedIds(j.name, j.data));
    } finally {
      await queue.close();
    }
  }

  const republishRequests = async () =>
    (await sys.query<{ payload: string }>(`SELECT payload FROM audit.ledger WHERE type = 'audit.republish-requested'`)).map((r) => JSON.parse(r.payload));

  /** Waits until `verify` reports nothing missing and every one of these events is in the ledger. */
  async function healed(eventIds: string[]): Promise<void> {
    const report = await sys.eventually(async () => {
      const current = await verify();
      expect(current.gaps).toEqual([]);
      expect(current.unrecorded).toEqual([]);
      expect(await sys.query(`SELECT seq FROM audit.ledger WHERE event_id = ANY($1)`, [eventIds])).toHaveLength(eventIds.length);
      return current;
    }, 15_000);
    expect(report.valid).toBe(true);
  }

  beforeAll(async () => {
    sys = await TestSystem.start({
      services: ['proposals', 'audit'],
      config: { auditCheckpointEveryMs: 150, auditGapGraceMs: 400, relayHeadEveryMs: 200 },
    });
    for (let i = 0; i < 3; i++) await createAndSubmit();
    await settled();
  });
  afterAll(() => sys?.stop());

  describe('auditor API', () => {
    it('serves auditors only, and records the refusal', async () => {
      await audit().get('/audit/events').expect(401);
      const denied = await audit().get('/audit/verify').set(sys.auth(people.manager)).expect(403);
      expect(denied.body.code).toBe('FORBIDDEN');
      await sys.eventually(async () => {
        const res = await audit().get('/audit/events').query({ type: 'access.denied', source: 'audit' }).set(sys.auth(auditor)).expect(200);
        expect(res.body.items.map((e: { payload: { path: string } }) => e.payload.path)).toContain('/audit/verify');
      });
    });

    it('lists entries in seq order with filters and an after cursor', async () => {
      const first = await audit().get('/audit/events').query({ source: 'proposals', limit: 4 }).set(sys.auth(auditor)).expect(200);
      expect(first.body.items).toHaveLength(4);
      expect(first.body.nextCursor).toBe(String(first.body.items[3].seq));
      const rest = await audit()
        .get('/audit/events')
        .query({ source: 'proposals', after: first.body.nextCursor, limit: 500 })
        .set(sys.auth(auditor))
        .expect(200);
      const all = [...first.body.items, ...rest.body.items];
      expect(rest.body.nextCursor).toBeNull();
      expect(all.map((e) => e.sourceSeq)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
      expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((a, b) => a - b));

      const [programId] = programIds;
      const byAggregate = await audit().get('/audit/events').query({ aggregateId: programId }).set(sys.auth(auditor)).expect(200);
      expect(byAggregate.body.items.map((e: { type: string }) => e.type)).toEqual(['program.drafted', 'program.submitted']);
      const submitted = byAggregate.body.items[1];
      const byCorrelation = await audit()
        .get('/audit/events')
        .query({ correlationId: submitted.correlationId, type: 'program.submitted', actorId: people.manager.sub })
        .set(sys.auth(auditor))
        .expect(200);
      expect(byCorrelation.body.items).toEqual([submitted]);

      const recordedAt = submitted.recordedAt as string;
      const window = await audit().get('/audit/events').query({ from: recordedAt, to: recordedAt, aggregateId: programId }).set(sys.auth(auditor)).expect(200);
      // Entries chained in one batch share their recordedAt: the window holds exactly those.
      const sameInstant = byAggregate.body.items.filter((e: { recordedAt: string }) => e.recordedAt === recordedAt);
      expect(sameInstant.map((e: { seq: number }) => e.seq)).toContain(submitted.seq);
      expect(window.body.items.map((e: { seq: number }) => e.seq)).toEqual(sameInstant.map((e: { seq: number }) => e.seq));
    });

    it('lists newest first on order=desc: the cursor continues with older entries, after bounds them from below', async () => {
      const list = (query: object) => audit().get('/audit/events').query({ source: 'proposals', ...query }).set(sys.auth(auditor)).expect(200);
      const ascending = (await list({ limit: 500 })).body.items.map((e: { seq: number }) => e.seq);
      const newest = await list({ order: 'desc', limit: 3 });
      expect(newest.body.items.map((e: { seq: number }) => e.seq)).toEqual(ascending.slice(-3).reverse());
      expect(newest.body.nextCursor).toBe(String(ascending.at(-3)));
      const older = await list({ order: 'desc', cursor: newest.body.nextCursor, limit: 500 });
      expect(older.body.items.map((e: { seq: number }) => e.seq)).toEqual(ascending.slice(0, -3).reverse());
      expect(older.body.nextCursor).toBeNull();
      const bounded = await list({ order: 'desc', after: String(ascending[1]), cursor: String(ascending[4]) });
      expect(bounded.body.items.map((e: { seq: number }) => e.seq)).toEqual([ascending[3], ascending[2]]);
    });

    it('refuses bad filters and seqs with 400 naming the field, and an unknown seq with 404', async () => {
      for (const query of [{ after: '-1' }, { after: '1e3' }, { from: 'yesterday' }, { source: 'payroll' }, { limit: 501 }, { type: 'x.y' }, { order: 'newest' }]) {
        const res = await audit().get('/audit/events').query(query).set(sys.auth(auditor)).expect(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
      for (const seq of ['0', 'abc', '99999999999999999999']) {
        expect((await audit().get(`/audit/events/${seq}`).set(sys.auth(auditor)).expect(400)).body.code).toBe('VALIDATION_FAILED');
      }
      expect((await audit().get('/audit/events/999999').set(sys.auth(auditor)).expect(404)).body.code).toBe('NOT_FOUND');
      await audit().get('/audit/programs/not-a-uuid/timeline').set(sys.auth(auditor)).expect(400);
      // A filter given twice (inherited by the list's query from the filter and page types alike).
      for (const query of ['source=proposals&source=audit', 'limit=5&limit=6']) {
        const res = await audit().get(`/audit/events?${query}`).set(sys.auth(auditor)).expect(400);
        expect(res.body.details).toEqual([{ field: query.split('=')[0], problems: ['must be given once, as one value'] }]);
      }
      // Swapped bounds would match nothing and pass for "no activity": refused, list and export alike.
      const swapped = { from: '2026-12-31T00:00:00Z', to: '2026-01-01T00:00:00Z' };
      for (const path of ['/audit/events', '/audit/export']) {
        const res = await audit().get(path).query(swapped).set(sys.auth(auditor)).expect(400);
        expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'to' }] });
      }
    });

    it('reads one entry, the head and a program timeline', async () => {
      const head = (await audit().get('/audit/head').set(sys.auth(auditor)).expect(200)).body;
      const entry = (await audit().get(`/audit/events/${head.seq}`).set(sys.auth(auditor)).expect(200)).body;
      expect(head).toEqual({ seq: entry.seq, hash: entry.hash, recordedAt: entry.recordedAt });
      expect(entry).toEqual(
        expect.objectContaining({ seq: head.seq, eventId: expect.any(String), type: expect.any(String), source: expect.any(String) }),
      );
      expect(Object.keys(entry)).toEqual(
        expect.arrayContaining(['sourceSeq', 'actor', 'occurredAt', 'recordedAt', 'payload', 'prevHash', 'hash']),
      );

      const timeline = await audit().get(`/audit/programs/${programIds[1]}/timeline`).set(sys.auth(auditor)).expect(200);
      expect(timeline.body.items.map((e: { type: string }) => e.type)).toEqual(['program.drafted', 'program.submitted']);
      expect(timeline.body.nextCursor).toBeNull();
    });

    it('exports the same entries as NDJSON and CSV, filtered', async () => {
      const listed = (await audit().get('/audit/events').query({ source: 'proposals', limit: 500 }).set(sys.auth(auditor)).expect(200)).body
        .items;
      const ndjson = await audit().get('/audit/export').query({ source: 'proposals' }).set(sys.auth(auditor)).buffer(true).expect(200);
      expect(ndjson.headers['content-type']).toMatch(/application\/x-ndjson/);
      const lines = ndjson.text.trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(lines).toEqual(listed);

      const csv = await audit().get('/audit/export').query({ format: 'csv', source: 'proposals' }).set(sys.auth(auditor)).buffer(true).expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      const rows = csv.text.split('\r\n').filter(Boolean);
      expect(rows[0]).toMatch(/^seq,eventId,type,source,sourceSeq,/);
      expect(rows).toHaveLength(listed.length + 1);
      expect(rows[1].startsWith(`${listed[0].seq},${listed[0].eventId},`)).toBe(true);

      await audit().get('/audit/export').query({ format: 'xml' }).set(sys.auth(auditor)).expect(400);
    });

    it('exports nothing but the CSV header when no entry matches', async () => {
      const none = { correlationId: 'matches-nothing' };
      const ndjson = await audit().get('/audit/export').query(none).set(sys.auth(auditor)).buffer(true).expect(200);
      expect([ndjson.headers['content-type'], ndjson.text]).toEqual([expect.stringMatching(/application\/x-ndjson/), '']);
      const csv = await audit().get('/audit/export').query({ ...none, format: 'csv' }).set(sys.auth(auditor)).buffer(true).expect(200);
      expect(csv.text.split('\r\n').filter(Boolean)).toEqual([expect.stringMatching(/^seq,eventId,type,/)]);
    });

    describe('when the ledger cannot be read', () => {
      const lost = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' });
      afterEach(() => jest.restoreAllMocks());

      it('answers 503 with an error body before the first entry, not a dropped connection', async () => {
        jest.spyOn(sys.app('audit').get(LedgerReader), 'batches').mockImplementation(async function* () {
          yield* [];
          throw lost();
        });
        for (const format of ['ndjson', 'csv']) {
          const res = await audit().get('/audit/export').query({ format }).set(sys.auth(auditor)).set('X-Correlation-Id', `export-${format}`).expect(503);
          expect(res.headers['content-type']).toMatch(/application\/json/);
          expect(res.headers['content-disposition']).toBeUndefined();
          expect(res.body).toEqual(expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', correlationId: `export-${format}` }));
        }
      });

      it('cuts the answer short after the first entries, so a partial export cannot pass for a whole one', async () => {
        const reader = sys.app('audit').get(LedgerReader);
        const real = reader.batches.bind(reader);
        jest.spyOn(reader, 'batches').mockImplementation(async function* (filter) {
          for await (const batch of real(filter)) {
            yield batch.slice(0, 1);
            throw lost();
          }
        });
        const cut = await audit()
          .get('/audit/export')
          .set(sys.auth(auditor))
          .buffer(true)
          .then(() => 'complete', (err: Error) => err.message);
        expect(cut).toMatch(/aborted|socket hang up|ECONNRESET/);
      });
    });

    it('verifies a valid chain against its signed checkpoints, with no gaps', async () => {
      const head = await settled();
      expect(await verify()).toMatchObject({
        valid: true,
        checked: await ledgerCount(),
        headSeq: head,
        firstInvalidSeq: null,
        gaps: [],
      });
      // Every source's reported head is recorded (audit's own events may still be on their way).
      await sys.eventually(async () => expect((await verify()).unrecorded).toEqual([]));
      expect(await sys.query(`SELECT source FROM audit.source_heads ORDER BY source`)).toEqual([{ source: 'audit' }, { source: 'proposals' }]);
    });

    it('lists signed checkpoints newest first, with the key they verify under', async () => {
      const head = await settled();
      const newest = (await audit().get('/audit/checkpoints').query({ limit: 1 }).set(sys.auth(auditor)).expect(200)).body;
      expect(newest).toEqual({
        items: [{ seq: head, hash: expect.stringMatching(/^[0-9a-f]{64}$/), signedAt: expect.any(String), signature: expect.any(String) }],
        nextCursor: String(head),
        publicKey: expect.stringContaining('BEGIN PUBLIC KEY'),
      });
      const older = (await audit().get('/audit/checkpoints').query({ cursor: newest.nextCursor, limit: 500 }).set(sys.auth(auditor)).expect(200)).body;
      const seqs = older.items.map((cp: { seq: number }) => cp.seq);
      expect(seqs.length).toBeGreaterThan(0);
      expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
      expect(Math.max(...seqs)).toBeLessThan(head);
      expect(older.nextCursor).toBeNull();
      expect((await audit().get('/audit/checkpoints').query({ cursor: 'x' }).set(sys.auth(auditor)).expect(400)).body.code).toBe('VALIDATION_FAILED');
    });

    describe('an export verified away from the service (npm run audit:verify -- --file)', () => {
      let dir: string;
      // The CLI runs from dist/, compiled by the integration tests' global setup.
      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), 'cuentas-export-'));
      });
      afterAll(() => rm(dir, { recursive: true, force: true }));

      /** Runs the compiled CLI on `lines` as an export file; its exit code and report. */
      async function verifyOffline(lines: string[], args: string[]): Promise<{ code: number; report: Record<string, unknown> }> {
        const file = join(dir, `export-${randomBytes(4).toString('hex')}.ndjson`);
        await writeFile(file, lines.map((l) => `${l}\n`).join(''));
        const { code, stdout } = await execFileAsync('node', ['dist/scripts/audit-verify.js', '--file', file, ...args]).then(
          (out) => ({ code: 0, stdout: out.stdout }),
          (err: { code: number; stdout: string; stderr: string }) => {
            if (err.code !== 1) throw new Error(`audit:verify exited with ${err.code}: ${err.stderr}`);
            return { code: 1, stdout: err.stdout };
          },
        );
        return { code, report: JSON.parse(stdout) as Record<string, unknown> };
      }

      it('passes the export as served, and catches a changed byte and a chain rewritten with fresh hashes', async () => {
        await settled();
        const head = (await audit().get('/audit/head').set(sys.auth(auditor)).expect(200)).body;
        const exported = await audit().get('/audit/export').set(sys.auth(auditor)).buffer(true).expect(200);
        const checkpoints = (await audit().get('/audit/checkpoints').query({ limit: 500 }).set(sys.auth(auditor)).expect(200)).body;
        const checkpointsFile = join(dir, 'checkpoints.json');
        await writeFile(checkpointsFile, JSON.stringify(checkpoints));
        const args = ['--anchor', `${head.seq}:${head.hash}`, '--checkpoints', checkpointsFile];
        const lines = exported.text.trimEnd().split('\n');

        const served = await verifyOffline(lines, args);
        expect(served).toEqual({
          code: 0,
          report: expect.objectContaining({ valid: true, checked: lines.length, fromSeq: 1, anchors: 1, checkpoints: expect.any(Number) }),
        });
        expect(served.report.checkpoints).toBeGreaterThan(1);

        const entries = lines.map((line) => JSON.parse(line) as LedgerEntry);
        const changed = [...lines];
        changed[1] = storedEntryJson(toStoredEntry({ ...entries[1], payload: { ...(entries[1].payload as object), title: 'Altered' } }));
        expect(await verifyOffline(changed, args)).toMatchObject({ code: 1, report: { valid: false, firstInvalidSeq: 2, reason: 'hash mismatch', line: 2 } });

        // What a superuser could write: every hash and link recomputes, only the signatures give it away.
        const rewritten = [entries[0], ...rehash([{ ...entries[1], payload: { forged: true } }, ...entries.slice(2)], entries[0].hash)];
        const rewrittenLines = rewritten.map((e) => storedEntryJson(toStoredEntry(e)));
        expect(await verifyOffline(rewrittenLines, [])).toMatchObject({ code: 0, report: { valid: true } });
        const firstCheckpoint = Math.min(...checkpoints.items.map((cp: { seq: number }) => cp.seq).filter((seq: number) => seq >= 2));
        expect(await verifyOffline(rewrittenLines, ['--checkpoints', checkpointsFile])).toMatchObject({
          code: 1,
          report: { valid: false, firstInvalidSeq: firstCheckpoint, reason: 'checkpoint mismatch' },
        });
      });
    });
  });

  describe('the audit service role', () => {
    it.each([
      ['UPDATE', `UPDATE audit.ledger SET type = 'forged' WHERE seq = 1`],
      ['DELETE', `DELETE FROM audit.ledger WHERE seq = 1`],
      ['TRUNCATE', `TRUNCATE audit.ledger`],
    ])('gets a permission error on %s of the ledger', async (_, statement) => {
      const client = await sys.db.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE cuentas_audit_app');
        await expect(client.query(statement)).rejects.toThrow(/permission denied/);
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
      expect(await ledgerCount()).toBeGreaterThan(0);
    });

    it('has what accepting, chaining, checkpointing, gap healing, source heads and the inbox need', async () => {
      const client = await sys.db.connect();
      try {
        await client.query('BEGIN');
        // Gap healing below will have to raise this watermark (the first entry's source, put back to 0).
        await client.query(
          `INSERT INTO audit.source_watermarks SELECT source, 0 FROM audit.ledger WHERE seq = 1
           ON CONFLICT (source) DO UPDATE SET contiguous_seq = 0`,
        );
        await client.query('SET LOCAL ROLE cuentas_audit_app');
        const [head] = (await client.query(`UPDATE audit.ledger_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`)).rows;
        await client.query(
          `INSERT INTO audit.ledger SELECT $1, gen_random_uuid(), type, version, source, 999999, aggregate_type, aggregate_id,
             aggregate_version, program_id, actor_id, actor, occurred_at, recorded_at, correlation_id, causation_id, payload, $2, $2
           FROM audit.ledger WHERE seq = 1`,
          [head.seq, head.hash],
        );
        await client.query(`INSERT INTO audit.checkpoints (seq, hash, signed_at, signature) VALUES ($1, $2, 'now', 'x')`, [head.seq, head.hash]);
        await client.query(`INSERT INTO audit.inbox (event_id, type, source, source_seq) VALUES (gen_random_uuid(), 't', 's', 1)`);
        await client.query(`INSERT INTO audit.ledger_intake (event_id, envelope) VALUES (gen_random_uuid(), '{}')`);
        await client.query(`SELECT id FROM audit.ledger_intake ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED`);
        await client.query(`DELETE FROM audit.ledger_intake`);
        await client.query(`SELECT * FROM audit.outbox_sequence FOR UPDATE`);
        const sql = async (text: string, params?: unknown[]) => (await client.query(text, params)).rows;
        await findSourceGapsAboveWatermarks(sql);
        await raiseSourceHead(sql, { source: 'reviews', headSeq: 2 });
        expect(await findMissingHeads(sql, { aboveWatermarks: true })).toContainEqual(expect.objectContaining({ source: 'reviews', fromSeq: 1, toSeq: 2 }));
        const { rows } = await client.query(`SELECT w.contiguous_seq FROM audit.source_watermarks w JOIN audit.ledger l ON l.source = w.source WHERE l.seq = 1`);
        expect(Number(rows[0].contiguous_seq)).toBeGreaterThan(0);
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    });
  });

  describe('completeness', () => {
    it('shows an event withheld from audit as a gap, and heals it by asking the source to republish', async () => {
      await sys.stopService('audit');
      const withheldProgram = await createAndSubmit();
      const [{ event_id: withheldId }] = await sys.query<{ event_id: string }>(
        `SELECT event_id FROM proposals.outbox WHERE type = 'program.drafted' AND envelope->'payload'->>'programId' = $1`,
        [withheldProgram],
      );
      // Published to audit's queue while audit was down; taking the job out loses the delivery (of
      // every event the job carries: the relay may have sent the program's two events as one batch).
      const withheldIds = await withholdFromAudit([withheldId]);
      // Published, so numbered by the relay.
      const seqs = await sys.query<{ source_seq: string }>(`SELECT source_seq FROM proposals.outbox WHERE event_id = ANY($1) ORDER BY 1`, [withheldIds]);
      const withheld = { fromSeq: Number(seqs[0].source_seq), toSeq: Number(seqs[seqs.length - 1].source_seq) };
      // A gap shows once a later event of its source is recorded: when the withheld job carried the
      // program's last event too, nothing after it would reveal the gap without another program.
      await createAndSubmit();
      // Keep audit from healing before the gap has been seen.
      await sys.startService('audit', { auditGapGraceMs: 2000 });
      const gap = { source: 'proposals', ...withheld };
      await sys.eventually(async () => expect((await verify()).gaps).toEqual([gap]), 5000);

      await healed(withheldIds);
      expect(await republishRequests()).toContainEqual(gap);
    });

    it('heals the newest events of a source gone quiet, which no later entry reveals, from the head it reports', async () => {
      await sys.stopService('audit');
      const quietProgram = await createAndSubmit();
      const programEvents = await sys.query<{ event_id: string }>(
        `SELECT event_id FROM proposals.outbox WHERE envelope->'payload'->>'programId' = $1`,
        [quietProgram],
      );
      const withheldIds = await withholdFromAudit(programEvents.map((r) => r.event_id));
      const [range] = await sys.query<{ from_seq: string; to_seq: string; newest: string }>(
        `SELECT min(source_seq) FILTER (WHERE event_id = ANY($1)) AS from_seq, max(source_seq) FILTER (WHERE event_id = ANY($1)) AS to_seq,
                max(source_seq) AS newest
         FROM proposals.outbox`,
        [withheldIds],
      );
      // Proposals stays quiet: no later event of it will show these as a gap between entries.
      expect(range.to_seq).toBe(range.newest);
      const newest = { source: 'proposals', fromSeq: Number(range.from_seq), toSeq: Number(range.to_seq) };

      // Long enough a grace to see them reported before they are asked for.
      await sys.startService('audit', { auditGapGraceMs: 3000 });
      await sys.eventually(async () => expect(await verify()).toMatchObject({ gaps: [], unrecorded: [newest] }), 2500);

      await healed(withheldIds);
      expect(await republishRequests()).toContainEqual(newest);
      const [head] = await sys.query<{ head_seq: string }>(`SELECT head_seq FROM audit.source_heads WHERE source = 'proposals'`);
      expect(Number(head.head_seq)).toBe(newest.toSeq);
    });

    it('parks a malformed source head and keeps nothing of it', async () => {
      const queue = new Queue(eventQueueName('audit'), { connection: { url: TEST_REDIS_URL }, prefix: sys.redisPrefix });
      try {
        const added = await queue.add(SOURCE_HEAD_JOB, { source: 'gateway', headSeq: 999 }, { removeOnFail: false });
        // Read whole once finished: failing sets the reason and finishedOn together.
        const failed = await sys.eventually(async () => {
          const job = await queue.getJob(added.id!);
          expect(job?.finishedOn).toBeDefined();
          return job!;
        });
        expect(await failed.isFailed()).toBe(true);
        expect(failed.failedReason).toMatch(/^invalid source head: source must be one of/);
        expect(failed.attemptsMade).toBe(1);
        await failed.remove();
      } finally {
        await queue.close();
      }
      // Unvalidated, it would have been kept as the head of a source named gateway.
      expect(await sys.query(`SELECT head_seq FROM audit.source_heads WHERE source = 'gateway'`)).toEqual([]);
    });
  });

  describe('tamper evidence (as a superuser with the triggers disabled)', () => {
    let head: number;

    beforeAll(async () => {
      head = await settled();
      expect((await verify()).valid).toBe(true);
      await sys.query(`ALTER TABLE audit.ledger DISABLE TRIGGER USER`);
    });
    afterAll(() => sys.query(`ALTER TABLE audit.ledger ENABLE TRIGGER USER`));
    // Each case undoes its tampering, so the next starts from a valid chain.
    afterEach(async () => expect(await verify()).toMatchObject({ valid: true, headSeq: head }));

    it('finds a changed payload byte at that entry', async () => {
      const [row] = await sys.query<{ seq: string; payload: string }>(
        `SELECT seq, payload FROM audit.ledger WHERE type = 'program.drafted' ORDER BY seq DESC LIMIT 1`,
      );
      const seq = Number(row.seq);
      const tampered = row.payload.replace('"title":"Youth', '"title":"Zouth');
      expect(tampered).toHaveLength(row.payload.length);
      expect(tampered).not.toBe(row.payload);
      await sys.query(`UPDATE audit.ledger SET payload = $2 WHERE seq = $1`, [seq, tampered]);

      expect(await verify()).toMatchObject({ valid: false, firstInvalidSeq: seq, reason: 'hash mismatch' });
      await sys.query(`UPDATE audit.ledger SET payload = $2 WHERE seq = $1`, [seq, row.payload]);
    });

    it('finds a deleted middle entry at its seq', async () => {
      const seq = Math.floor(head / 2);
      const client = await sys.db.connect();
      try {
        await client.query(`CREATE TEMP TABLE kept AS SELECT * FROM audit.ledger WHERE seq = $1`, [seq]);
        await client.query(`DELETE FROM audit.ledger WHERE seq = $1`, [seq]);

        expect(await verify()).toMatchObject({ valid: false, firstInvalidSeq: seq, reason: 'seq gap' });
        await client.query(`INSERT INTO audit.ledger SELECT * FROM kept`);
      } finally {
        client.release(true);
      }
    });

    it('finds two swapped entries at the first of them', async () => {
      const seq = head - 5;
      const swap = `
        UPDATE audit.ledger l SET (event_id, type, source, source_seq, aggregate_type, aggregate_id, aggregate_version, program_id,
            actor_id, actor, occurred_at, recorded_at, correlation_id, causation_id, payload, prev_hash, hash)
          = (o.event_id, o.type, o.source, o.source_seq, o.aggregate_type, o.aggregate_id, o.aggregate_version, o.program_id,
            o.actor_id, o.actor, o.occurred_at, o.recorded_at, o.correlation_id, o.causation_id, o.payload, o.prev_hash, o.hash)
        FROM audit.ledger o WHERE l.seq IN ($1::bigint, $1::bigint + 1)
          AND o.seq = CASE WHEN l.seq = $1::bigint THEN $1::bigint + 1 ELSE $1::bigint END`;
      // The unique (event_id) and (source, source_seq) constraints would trip midway through the swap.
      await sys.query(`ALTER TABLE audit.ledger DROP CONSTRAINT uq_ledger_event_id, DROP CONSTRAINT uq_ledger_source_seq`);
      try {
        await sys.query(swap, [seq]);
        expect(await verify()).toMatchObject({ valid: false, firstInvalidSeq: seq });
        await sys.query(swap, [seq]);
      } finally {
        await sys.query(
          `ALTER TABLE audit.ledger ADD CONSTRAINT uq_ledger_event_id UNIQUE (event_id), ADD CONSTRAINT uq_ledger_source_seq UNIQUE (source, source_seq)`,
        );
      }
    });

    it('finds a truncated tail against the last signed checkpoint', async () => {
      const client = await sys.db.connect();
      try {
        await client.query(`CREATE TEMP TABLE tail AS SELECT * FROM audit.ledger WHERE seq > $1`, [head - 2]);
        await client.query(`DELETE FROM audit.ledger WHERE seq > $1`, [head - 2]);
        await client.query(`UPDATE audit.ledger_head SET seq = $1, hash = (SELECT hash FROM audit.ledger WHERE seq = $1)`, [head - 2]);

        expect(await verify()).toMatchObject({ valid: false, headSeq: head - 2, firstInvalidSeq: head - 1, reason: 'truncated' });
        await client.query(`INSERT INTO audit.ledger SELECT * FROM tail`);
        await client.query(`UPDATE audit.ledger_head SET seq = $1, hash = (SELECT hash FROM audit.ledger WHERE seq = $1)`, [head]);
      } finally {
        client.release(true);
      }
    });

    it('finds a chain rewritten with fresh hashes after a checkpoint, at that checkpoint', async () => {
      const from = head - 4;
      const original = (await audit().get('/audit/events').query({ after: from - 1 }).set(sys.auth(auditor)).expect(200)).body
        .items as LedgerEntry[];
      const [previous] = await sys.query<{ hash: string }>(`SELECT hash FROM audit.ledger WHERE seq = $1`, [from - 1]);
      let prevHash = previous.hash;
      const rewritten = original.map((entry, i) => {
        const next = chainEntry(i === 0 ? { ...entry, payload: { forged: true } } : entry, prevHash);
        prevHash = next.hash;
        return next;
      });
      const write = (entries: LedgerEntry[]) =>
        Promise.all(
          entries.map((e) =>
            sys.query(`UPDATE audit.ledger SET payload = $2, prev_hash = $3, hash = $4 WHERE seq = $1`, [
              e.seq,
              toStoredEntry(e).payload,
              e.prevHash,
              e.hash,
            ]),
          ),
        );
      await write(rewritten);

      // The rewritten chain links up; only the first signed checkpoint inside it no longer matches.
      const [checkpoint] = await sys.query<{ seq: string }>(`SELECT min(seq) AS seq FROM audit.checkpoints WHERE seq >= $1`, [from]);
      expect(await verify()).toMatchObject({ valid: false, firstInvalidSeq: Number(checkpoint.seq), reason: 'checkpoint mismatch' });
      await write(original);
    });

    it('finds a forged checkpoint by its signature', async () => {
      const [cp] = await sys.query<{ id: string; seq: string; hash: string }>(
        `SELECT id, seq, hash FROM audit.checkpoints ORDER BY seq DESC LIMIT 1`,
      );
      await sys.query(`UPDATE audit.checkpoints SET seq = seq + 1000 WHERE id = $1`, [cp.id]);

      expect(await verify()).toMatchObject({ valid: false, firstInvalidSeq: Number(cp.seq) + 1000, reason: 'checkpoint signature invalid' });
      await sys.query(`UPDATE audit.checkpoints SET seq = $2 WHERE id = $1`, [cp.id, cp.seq]);
    });
  });

  describe('the service running as a login in the app role (apps/audit/README.md)', () => {
    const login = `cuentas_audit_t_${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      await sys.query(`CREATE ROLE ${login} LOGIN IN ROLE cuentas_audit_app`);
      await sys.query(`ALTER ROLE ${login} SET role = 'cuentas_audit_app'`);
      await sys.query(`GRANT CREATE ON DATABASE "${sys.database}" TO cuentas_audit_app`);
      const url = new URL(sys.databaseUrl);
      url.username = login;
      await sys.stopService('audit');
      await sys.startService('audit', { databaseUrl: url.toString() });
    });
    afterAll(async () => {
      await sys.stopService('audit');
      await sys.query(`REVOKE CREATE ON DATABASE "${sys.database}" FROM cuentas_audit_app`);
      await sys.query(`DROP ROLE ${login}`);
    });

    it('boots, records, checkpoints and verifies with no right to rewrite the ledger', async () => {
      const programId = await createAndSubmit();
      await sys.eventually(async () => {
        const res = await audit().get(`/audit/programs/${programId}/timeline`).set(sys.auth(auditor)).expect(200);
        expect(res.body.items.map((e: { type: string }) => e.type)).toEqual(['program.drafted', 'program.submitted']);
      });
      await settled();
      expect(await verify()).toMatchObject({ valid: true, gaps: [] });
      const sessions = await sys.query<{ usename: string }>(
        `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1 AND application_name = 'cuentas-audit'`,
        [sys.database],
      );
      expect(sessions).toEqual([{ usename: login }]);
    });
  });
});
