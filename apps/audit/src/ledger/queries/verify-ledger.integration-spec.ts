import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type pg from 'pg';
import { bulkAppend } from '../../../../../bench/audit-bulk.js';
import { TestSystem } from '../../../../../test/support/test-system.js';
import { signCheckpoint } from '../domain/checkpoint-signer.js';
import { chainEntry, toStoredEntry, type LedgerEntry } from '../domain/ledger-hash.js';
import { CheckpointKeys } from '../persistence/checkpoint-keys.js';
import { findLedgerEntry, type SqlRunner } from '../persistence/ledger-sql.js';
import { verifyLedger, type LedgerVerificationReport } from './verify-ledger.js';

const run = promisify(execFile);
const ENTRIES = 300;

/**
 * The ledger verified in one pass, in three segments in this thread (how Jest, which runs the
 * TypeScript sources, can run them) and in three worker threads by the compiled CLI, against the
 * same tampered database: the three reports must be the same, tampering at segment boundaries too.
 */
describe('verifyLedger in segments, in this thread and in worker threads', () => {
  let sys: TestSystem;
  let sql: SqlRunner;
  let keys: CheckpointKeys;

  // The CLI it also runs comes from dist/, compiled by the integration tests' global setup.
  beforeAll(async () => {
    // No scheduled checkpoint or gap healing: both would append entries between the ways of verifying.
    sys = await TestSystem.start({ services: ['audit'], config: { auditCheckpointEveryMs: 3_600_000, auditGapGraceMs: 3_600_000 } });
    sql = (text, params) => sys.query(text, params);
    keys = sys.app('audit').get(CheckpointKeys);
    const client = await sys.db.connect();
    try {
      await bulkAppend(client as unknown as pg.Client, ENTRIES);
    } finally {
      client.release();
    }
    for (const seq of [100, 200, ENTRIES]) {
      const entry = (await findLedgerEntry(sql, seq))!;
      const cp = signCheckpoint(entry, keys.privateKeyPem, new Date());
      await sys.query(`INSERT INTO audit.checkpoints (seq, hash, signed_at, signature) VALUES ($1, $2, $3, $4)`, [cp.seq, cp.hash, cp.signedAt, cp.signature]);
    }
    await sys.query(`ALTER TABLE audit.ledger DISABLE TRIGGER USER`);
  });
  afterAll(() => sys?.stop());

  /** Every way of verifying; they must agree, and the report is theirs. */
  async function verify(): Promise<LedgerVerificationReport> {
    const databaseUrl = sys.databaseUrl;
    const onePass = await verifyLedger(sql, keys.publicKeyPem, { databaseUrl, parallelism: 1 });
    const inThread = await verifyLedger(sql, keys.publicKeyPem, { databaseUrl, parallelism: 3, minSegmentEntries: 1, threads: false });
    const cli = await run('node', ['dist/scripts/audit-verify.js', '--parallelism', '3', '--min-segment', '1'], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
    }).catch((err: { code: number; stdout: string; stderr: string }) => {
      if (err.code !== 1) throw new Error(`audit:verify exited with ${err.code}: ${err.stderr}`);
      return err;
    });
    const { tookMs, ...inWorkers } = JSON.parse(cli.stdout) as LedgerVerificationReport & { tookMs: number };

    expect(tookMs).toEqual(expect.any(Number));
    expect(inThread).toEqual(onePass);
    expect(inWorkers).toEqual(onePass);
    return onePass;
  }

  const entry = async (seq: number) => (await findLedgerEntry(sql, seq))!;
  const write = (entries: LedgerEntry[]) =>
    Promise.all(
      entries.map((e) =>
        sys.query(`UPDATE audit.ledger SET payload = $2, prev_hash = $3, hash = $4 WHERE seq = $1`, [e.seq, toStoredEntry(e).payload, e.prevHash, e.hash]),
      ),
    );
  async function withDeleted(seqs: number[], check: () => Promise<void>): Promise<void> {
    const client = await sys.db.connect();
    try {
      await client.query(`CREATE TEMP TABLE kept AS SELECT * FROM audit.ledger WHERE seq = ANY($1)`, [seqs]);
      await client.query(`DELETE FROM audit.ledger WHERE seq = ANY($1)`, [seqs]);
      await check();
      await client.query(`INSERT INTO audit.ledger SELECT * FROM kept`);
    } finally {
      client.release(true);
    }
  }

  // Segments of 100: 1..100, 101..200, 201.. (open-ended). Each case undoes its tampering.
  // One pass is enough to see the undoing worked (the compiled CLI costs a process start).
  afterEach(async () =>
    expect(await verifyLedger(sql, keys.publicKeyPem, { databaseUrl: sys.databaseUrl, parallelism: 1 })).toMatchObject({
      valid: true,
      checked: ENTRIES,
      headSeq: ENTRIES,
    }),
  );

  it('verifies a valid ledger, its checkpoints and gaps alike', async () => {
    expect(await verify()).toMatchObject({ valid: true, checked: ENTRIES, headSeq: ENTRIES, checkpoints: 3, gaps: [], firstInvalidSeq: null });
  });

  it('finds a deleted last entry of a segment at its seq', async () => {
    await withDeleted([100], async () => {
      expect(await verify()).toMatchObject({ valid: false, firstInvalidSeq: 100, reason: 'seq gap', checked: ENTRIES - 1 });
    });
  });

  it('finds a changed byte in the first entry of a segment at that entry', async () => {
    const original = await entry(101);
    await write([{ ...original, payload: { ...(original.payload as object), amountCents: 1 } }]);
    expect(await verify()).toMatchObject({ valid: false, firstInvalidSeq: 101, reason: 'hash mismatch' });
    await write([original]);
  });

  it('finds a rehashed last entry of a segment at the checkpoint there', async () => {
    const original = await entry(200);
    await write([chainEntry({ ...original, payload: { forged: true } }, original.prevHash)]);
    // 200 is also a checkpoint: the first failure a single pass meets is that checkpoint.
    expect(await verify()).toMatchObject({ valid: false, firstInvalidSeq: 200, reason: 'checkpoint mismatch' });
    await write([original]);
  });

  it('reports the first failure when segments fail in several places', async () => {
    const original = await entry(150);
    await write([{ ...original, payload: { forged: true } }]);
    await withDeleted([60, 250], async () => {
      expect(await verify()).toMatchObject({ valid: false, firstInvalidSeq: 60, reason: 'seq gap' });
    });
    expect(await verify()).toMatchObject({ valid: false, firstInvalidSeq: 150, reason: 'hash mismatch' });
    await write([original]);
  });

  it('finds a chain rewritten across a segment boundary at the checkpoint it no longer matches', async () => {
    const original = await Promise.all(Array.from({ length: 80 }, (_, i) => entry(151 + i)));
    let prevHash = original[0].prevHash;
    const rewritten = original.map((e, i) => {
      const next = chainEntry(i === 0 ? { ...e, payload: { forged: true } } : e, prevHash);
      prevHash = next.hash;
      return next;
    });
    await write(rewritten);
    expect(await verify()).toMatchObject({ valid: false, firstInvalidSeq: 200, reason: 'checkpoint mismatch' });
    await write(original);
  });

  it('finds a truncated tail against the last checkpoint', async () => {
    await withDeleted(Array.from({ length: 110 }, (_, i) => ENTRIES - i), async () => {
      expect(await verify()).toMatchObject({ valid: false, headSeq: 190, firstInvalidSeq: 191, reason: 'truncated' });
    });
  });
});
