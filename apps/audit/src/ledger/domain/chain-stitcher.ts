import type { ChainCheckpoint, ChainFailureReason, ChainSegment, ChainVerification } from './chain-verifier.js';
import { GENESIS_HASH } from './ledger-hash.js';

/** A seq range to verify on its own: `toSeq` null for the last one, which reads to the end. */
export interface SegmentBounds {
  fromSeq: number;
  toSeq: number | null;
}

/**
 * Splits seqs 1..`headSeq` into `count` ranges of about equal size; the last one is open-ended,
 * so entries appended while verifying are still read, as a single pass would read them.
 */
export function segmentBounds(headSeq: number, count: number): SegmentBounds[] {
  const size = Math.max(1, Math.ceil(headSeq / count));
  const bounds: SegmentBounds[] = [];
  for (let i = 0; i < count; i++) bounds.push({ fromSeq: i * size + 1, toSeq: i === count - 1 ? null : (i + 1) * size });
  return bounds;
}

/** The checkpoints a segment checks: those within its bounds. */
export function checkpointsWithin(checkpoints: readonly ChainCheckpoint[], { fromSeq, toSeq }: SegmentBounds): ChainCheckpoint[] {
  return checkpoints.filter((cp) => cp.seq >= fromSeq && (toSeq === null || cp.seq <= toSeq));
}

/**
 * Joins the segments (in seq order) of a ledger verified in parallel into the verdict that one
 * ChainVerifier over all entries would give: the same first invalid seq and reason. Each segment
 * has checked its own entries, links and checkpoints; what is left is where they meet: a segment
 * must begin exactly at the seq the one before ended at, with a prevHash equal to that one's last
 * hash. A checkpoint beyond the last valid entry means the tail was cut off.
 */
export function stitchSegments(segments: readonly ChainSegment[], checkpoints: readonly ChainCheckpoint[]): ChainVerification {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let headSeq = 0;
  let headHash = GENESIS_HASH;
  let failure: { seq: number; reason: ChainFailureReason } | null = null;

  for (const segment of segments) {
    if (segment.first === null) continue;
    checked += segment.checked;
    headSeq = segment.headSeq;
    headHash = segment.headHash;
    if (failure !== null) continue;

    failure = joinFailure(segment, segment.first, expectedSeq, prevHash);
    if (failure === null && segment.reason !== null) failure = { seq: segment.firstInvalidSeq!, reason: segment.reason };
    expectedSeq = segment.nextSeq;
    prevHash = segment.headHash;
  }

  if (failure === null && checkpoints.some((cp) => cp.seq >= expectedSeq)) failure = { seq: expectedSeq, reason: 'truncated' };
  return {
    valid: failure === null,
    checked,
    headSeq,
    headHash,
    firstInvalidSeq: failure?.seq ?? null,
    reason: failure?.reason ?? null,
  };
}

/** The failure, if any, at a segment's first entry that only the entries before it can reveal. */
function joinFailure(
  segment: ChainSegment,
  first: { seq: number; prevHash: string },
  expectedSeq: number,
  prevHash: string,
): { seq: number; reason: ChainFailureReason } | null {
  // Entries missing at the end of the segment before (or at the start of this one) show up here.
  if (first.seq !== expectedSeq || segment.fromSeq !== expectedSeq) {
    return { seq: expectedSeq, reason: first.seq > expectedSeq ? 'seq gap' : 'seq out of order' };
  }
  // A single pass checks the entry's own hash before its link, and its link before a checkpoint.
  if (segment.firstInvalidSeq === expectedSeq && segment.reason === 'hash mismatch') return null;
  return first.prevHash === prevHash ? null : { seq: expectedSeq, reason: 'prevHash mismatch' };
}
