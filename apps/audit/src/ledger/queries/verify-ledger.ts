import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { checkpointsWithin, segmentBounds, stitchSegments } from '../domain/chain-stitcher.js';
import type { ChainFailureReason, ChainSegment } from '../domain/chain-verifier.js';
import { verifyCheckpoint } from '../domain/checkpoint-signer.js';
import type { SourceGap } from '../domain/source-gaps.js';
import { findMissingHeads, findSourceGaps, readCheckpoints, readLedgerHead, type SqlRunner } from '../persistence/ledger-sql.js';
import { verifySegment, type SegmentTask } from './verify-segment.js';

/** Rows per keyset batch: memory stays flat whatever the ledger's size. */
export const VERIFY_BATCH = 5000;

/** Below twice this many entries a ledger is verified in one segment: a worker costs ~50 ms to start. */
export const MIN_SEGMENT_ENTRIES = 50_000;

/**
 * Worker threads run compiled JavaScript only. Under Jest this module is TypeScript that swc loads
 * in-process, which a worker cannot load, so there segments run in this thread (the same code,
 * concurrently); the thread path is tested through the compiled CLI (audit-verify.integration-spec).
 */
const WORKER_URL = new URL('./verify-segment.worker.js', import.meta.url);
const COMPILED = import.meta.url.endsWith('.js');

export interface VerifyLedgerOptions {
  /** Where each segment opens a connection of its own. */
  databaseUrl: string;
  /** Segments verified at once; by default one per CPU. */
  parallelism?: number;
  /** Fewest entries in a segment (default MIN_SEGMENT_ENTRIES). */
  minSegmentEntries?: number;
  /** Segments in worker threads; by default whenever this module is compiled JavaScript. */
  threads?: boolean;
}

export interface LedgerVerificationReport {
  valid: boolean;
  checked: number;
  headSeq: number;
  headHash: string;
  firstInvalidSeq: number | null;
  reason: ChainFailureReason | 'checkpoint signature invalid' | null;
  /** Checkpoints whose signature verified and which the chain was checked against. */
  checkpoints: number;
  gaps: SourceGap[];
  /**
   * Events above each source's newest entry up to the head the source last reported: the sources'
   * claim, not evidence, and normal for a moment while events are on their way. Gap healing asks
   * for any still missing after the grace period.
   */
  unrecorded: SourceGap[];
}

/**
 * Verifies the whole chain in seq order against every correctly signed checkpoint, and reports
 * each source's sequence gaps. A checkpoint whose signature fails is itself evidence of tampering:
 * the ledger is then invalid from that checkpoint's seq on (or from an earlier chain failure).
 * Gaps do not make the chain invalid: they mean events are missing upstream, not altered here.
 * Nor do unrecorded events above a source's newest entry, which only its reported head reveals.
 */
export async function verifyLedger(sql: SqlRunner, publicKeyPem: string, options: VerifyLedgerOptions): Promise<LedgerVerificationReport> {
  const stored = await readCheckpoints(sql);
  const trusted = stored.filter((cp) => verifyCheckpoint(cp, publicKeyPem));
  const forged = stored.find((cp) => !trusted.includes(cp));

  // The chain is split in seq ranges verified at once, each on its own connection (and thread),
  // so hashing uses every CPU and Postgres reads in parallel. The head only sizes the ranges:
  // the last range reads to the end, and stitchSegments checks how the ranges join.
  const { databaseUrl, parallelism = availableParallelism(), minSegmentEntries = MIN_SEGMENT_ENTRIES, threads = COMPILED } = options;
  const { seq: headSeq } = await readLedgerHead(sql);
  const count = Math.max(1, Math.min(parallelism, Math.floor(headSeq / minSegmentEntries)));
  const tasks = segmentBounds(headSeq, count).map(
    (bounds): SegmentTask => ({ databaseUrl, bounds, checkpoints: checkpointsWithin(trusted, bounds), batchSize: VERIFY_BATCH }),
  );
  const gapsRead = Promise.all([findSourceGaps(sql), findMissingHeads(sql, { aboveWatermarks: false })]);
  gapsRead.catch(() => undefined);
  const segments = threads && tasks.length > 1 ? await inWorkers(tasks) : await Promise.all(tasks.map(verifySegment));
  const chain = stitchSegments(segments, trusted);
  const [gaps, unrecorded] = (await gapsRead).map((found) => found.map(({ source, fromSeq, toSeq }) => ({ source, fromSeq, toSeq })));

  const report: LedgerVerificationReport = { ...chain, checkpoints: trusted.length, gaps, unrecorded };
  if (forged && (chain.firstInvalidSeq === null || forged.seq < chain.firstInvalidSeq)) {
    return { ...report, valid: false, firstInvalidSeq: forged.seq, reason: 'checkpoint signature invalid' };
  }
  return report;
}

/** One worker thread per task (a one-off fan-out, which needs no pool); any failure stops them all. */
async function inWorkers(tasks: SegmentTask[]): Promise<ChainSegment[]> {
  const workers = tasks.map((task) => new Worker(WORKER_URL, { workerData: task }));
  try {
    return await Promise.all(
      workers.map(
        (worker) =>
          new Promise<ChainSegment>((resolve, reject) => {
            worker.once('message', resolve);
            worker.once('error', reject);
            worker.once('exit', (code) => reject(new Error(`ledger verification worker exited with code ${code}`)));
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
