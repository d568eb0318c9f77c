import type pg from 'pg';
import { migratedDatabase, type MigratedDatabase } from '#libs/testing';
import { auditService } from '../../audit.service.js';
import { findMissingHeads, findSourceGaps, findSourceGapsAboveWatermarks, raiseSourceHead, type SqlRunner } from './ledger-sql.js';

/** Gap healing reads above each source's watermark; verification reads the whole ledger. They must agree. */
describe('source gaps above the watermarks', () => {
  let db: MigratedDatabase;
  let client: pg.Client;
  let sql: SqlRunner;

  /** Entries with the given (source, sourceSeq); only those two columns matter to gaps. */
  async function append(source: string, ...seqs: number[]): Promise<void> {
    await client.query(
      `INSERT INTO audit.ledger (seq, event_id, type, version, source, source_seq, aggregate_type, aggregate_id, aggregate_version,
         actor_id, actor, occurred_at, recorded_at, correlation_id, payload, prev_hash, hash)
       SELECT (SELECT coalesce(max(seq), 0) FROM audit.ledger) + p.n, gen_random_uuid(), 'test.recorded', 1, $1, p.source_seq,
              'test', 'a', 1, 'u', '{}', clock_timestamp()::text, clock_timestamp()::text, 'c', '{}', repeat('0', 64), repeat('0', 64)
       FROM unnest($2::bigint[]) WITH ORDINALITY AS p (source_seq, n)`,
      [source, seqs],
    );
  }
  const watermarks = async () =>
    Object.fromEntries(
      (await client.query(`SELECT source, contiguous_seq FROM audit.source_watermarks`)).rows.map((r) => [r.source, Number(r.contiguous_seq)]),
    );
  const spans = (gaps: Array<{ source: string; fromSeq: number; toSeq: number }>) =>
    gaps.map(({ source, fromSeq, toSeq }) => `${source}:${fromSeq}-${toSeq}`);

  beforeAll(async () => {
    db = await migratedDatabase(auditService, 'source_gaps');
    client = db.client;
    sql = (text, params) => db.sql(text, params as unknown[]);
  });
  afterAll(() => db?.drop());

  it('finds what the full scan finds and raises each watermark to just below its source\'s first gap', async () => {
    await append('proposals', 1, 2, 3, 4, 5, 7, 8);
    await append('reviews', 3, 1, 2);
    await append('disbursements', 2, 3);

    const gaps = await findSourceGapsAboveWatermarks(sql);

    expect(spans(gaps)).toEqual(['disbursements:1-1', 'proposals:6-6']);
    expect(gaps).toEqual(await findSourceGaps(sql));
    expect(await watermarks()).toEqual({ proposals: 5, reviews: 3, disbursements: 0 });
  });

  it('on a later run, drops a gap filled meanwhile, finds a new one and moves the watermark past the filled one', async () => {
    await append('proposals', 6, 10);
    await append('reviews', 4);

    const gaps = await findSourceGapsAboveWatermarks(sql);

    expect(spans(gaps)).toEqual(['disbursements:1-1', 'proposals:9-9']);
    expect(gaps).toEqual(await findSourceGaps(sql));
    expect(await watermarks()).toEqual({ proposals: 8, reviews: 4, disbursements: 0 });
  });

  it('reads nothing below a watermark, which verification does not trust', async () => {
    await client.query(`UPDATE audit.source_watermarks SET contiguous_seq = 9 WHERE source = 'proposals'`);

    expect(spans(await findSourceGapsAboveWatermarks(sql))).toEqual(['disbursements:1-1']);
    expect(spans(await findSourceGaps(sql))).toEqual(['disbursements:1-1', 'proposals:9-9']);
    // Above 9, proposals has 10 and nothing missing in between.
    expect((await watermarks()).proposals).toBe(10);
  });

  it('keeps only the highest head each source reports, dated when audit first heard of it', async () => {
    expect(await raiseSourceHead(sql, { source: 'assessments', headSeq: 4 })).toBe(true);
    const [first] = (await client.query(`SELECT reported_at FROM audit.source_heads WHERE source = 'assessments'`)).rows;

    expect(await raiseSourceHead(sql, { source: 'assessments', headSeq: 4 })).toBe(false);
    expect(await raiseSourceHead(sql, { source: 'assessments', headSeq: 2 })).toBe(false);

    const rows = (await client.query(`SELECT head_seq, reported_at FROM audit.source_heads WHERE source = 'assessments'`)).rows;
    expect(rows.map((r) => [Number(r.head_seq), r.reported_at.getTime()])).toEqual([[4, first.reported_at.getTime()]]);
    expect(await raiseSourceHead(sql, { source: 'assessments', headSeq: 5 })).toBe(true);
  });

  it('finds events above each source\'s newest entry up to its head, and none at or below it', async () => {
    // Recorded so far: proposals 1-8 and 10 (watermark 10, raised over a hole above), reviews 1-4, disbursements 2-3.
    await raiseSourceHead(sql, { source: 'proposals', headSeq: 13 });
    await raiseSourceHead(sql, { source: 'reviews', headSeq: 6 });
    await raiseSourceHead(sql, { source: 'disbursements', headSeq: 3 });
    await client.query(`INSERT INTO audit.source_watermarks VALUES ('reviews', 7) ON CONFLICT (source) DO UPDATE SET contiguous_seq = 7`);

    const missing = await findMissingHeads(sql, { aboveWatermarks: true });

    // assessments: nothing recorded, head 5; proposals: above 10; reviews: 5-6 lie below its
    // watermark, which is trusted as gap healing trusts it; disbursements: its head is its newest entry.
    expect(spans(missing)).toEqual(['assessments:1-5', 'proposals:11-13']);
    const [{ reported_at: heardOf }] = (await client.query(`SELECT reported_at FROM audit.source_heads WHERE source = 'proposals'`)).rows;
    expect(missing[1].visibleSince).toBe(heardOf.toISOString());

    // Verification trusts no watermark.
    expect(spans(await findMissingHeads(sql, { aboveWatermarks: false }))).toEqual(['assessments:1-5', 'proposals:11-13', 'reviews:5-6']);

    await append('proposals', 11, 12, 13);
    expect(spans(await findMissingHeads(sql, { aboveWatermarks: true }))).toEqual(['assessments:1-5']);
  });
});
