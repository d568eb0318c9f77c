import { ValidationError } from '#libs/core';
import { GENESIS_HASH, hashStoredEntry, type StoredLedgerEntry } from './ledger-hash.js';

/** A trusted `{ seq, hash }` (its signature already checked) that the chain must still contain. */
export interface ChainCheckpoint {
  seq: number;
  hash: string;
}

export type ChainFailureReason =
  | 'seq gap'
  | 'seq out of order'
  | 'hash mismatch'
  | 'prevHash mismatch'
  | 'checkpoint mismatch'
  | 'truncated';

export interface ChainVerification {
  valid: boolean;
  /** Entries pushed, including any after the first failure. */
  checked: number;
  /** The last entry pushed (0 and GENESIS_HASH for an empty ledger). */
  headSeq: number;
  headHash: string;
  firstInvalidSeq: number | null;
  reason: ChainFailureReason | null;
}

/**
 * Where a verifier starts: seq 1 after the genesis hash, or (for one segment of a ledger verified
 * in parallel) any seq with `prevHash: null`, when the hash before it is not known yet: the first
 * entry's prevHash is then taken as it is and reported, for stitchSegments to check.
 */
export interface ChainStart {
  seq: number;
  prevHash: string | null;
}

/** What a verifier saw of one segment; plain data, so a worker thread can post it. */
export interface ChainSegment {
  /** The seq the segment was to start at. */
  fromSeq: number;
  checked: number;
  /** The first entry pushed: its seq and the prevHash it claims. */
  first: { seq: number; prevHash: string } | null;
  headSeq: number;
  headHash: string;
  /** The seq expected after the last valid entry. */
  nextSeq: number;
  firstInvalidSeq: number | null;
  reason: ChainFailureReason | null;
}

/**
 * Verifies the ledger as a stream, in seq order, in constant memory: it keeps only the previous
 * hash, the next expected seq and a cursor into the (few) checkpoints. After the first failure it
 * stops checking but keeps tracking the head, so callers may stop reading early or drain.
 */
export class ChainVerifier {
  private readonly checkpoints: readonly ChainCheckpoint[];
  private nextCheckpoint = 0;
  private readonly fromSeq: number;
  private expectedSeq: number;
  private prevHash: string | null;
  private first: ChainSegment['first'] = null;
  private checked = 0;
  private headSeq = 0;
  private headHash = GENESIS_HASH;
  private firstInvalidSeq: number | null = null;
  private reason: ChainFailureReason | null = null;

  /** `checkpoints` must all lie at or after `start.seq`: the cursor only moves forward. */
  constructor(checkpoints: readonly ChainCheckpoint[] = [], start: ChainStart = { seq: 1, prevHash: GENESIS_HASH }) {
    this.fromSeq = this.expectedSeq = start.seq;
    this.prevHash = start.prevHash;
    for (const cp of checkpoints) {
      if (!Number.isSafeInteger(cp.seq) || cp.seq < 1) {
        throw new ValidationError(`checkpoint seq must be a positive integer, got ${cp.seq}`);
      }
    }
    this.checkpoints = [...checkpoints].sort((a, b) => a.seq - b.seq);
  }

  /** Feeds the next entry; returns whether the chain is still valid. */
  push(entry: StoredLedgerEntry): boolean {
    if (this.checked++ === 0) this.first = { seq: entry.seq, prevHash: entry.prevHash };
    this.headSeq = entry.seq;
    this.headHash = entry.hash;
    if (this.reason !== null) return false;

    const seq = this.expectedSeq;
    if (entry.seq !== seq) {
      // A gap means the entry at `seq` was deleted; a lower seq means reordered or duplicated rows.
      return this.fail(seq, entry.seq > seq ? 'seq gap' : 'seq out of order');
    }
    if (hashStoredEntry(entry) !== entry.hash) return this.fail(seq, 'hash mismatch');
    // null: this segment's first entry, whose link stitchSegments checks.
    if (this.prevHash !== null && entry.prevHash !== this.prevHash) return this.fail(seq, 'prevHash mismatch');

    const checkpoints = this.checkpoints;
    while (this.nextCheckpoint < checkpoints.length && checkpoints[this.nextCheckpoint].seq === seq) {
      if (checkpoints[this.nextCheckpoint++].hash !== entry.hash) return this.fail(seq, 'checkpoint mismatch');
    }

    this.prevHash = entry.hash;
    this.expectedSeq = seq + 1;
    return true;
  }

  /** The verdict so far; a checkpoint beyond the last entry means the tail was cut off. */
  result(): ChainVerification {
    let { firstInvalidSeq, reason } = this;
    if (reason === null && this.nextCheckpoint < this.checkpoints.length) {
      firstInvalidSeq = this.expectedSeq;
      reason = 'truncated';
    }
    return {
      valid: reason === null,
      checked: this.checked,
      headSeq: this.headSeq,
      headHash: this.headHash,
      firstInvalidSeq,
      reason,
    };
  }

  /** The raw state of a segment, for stitchSegments; truncation is judged over the whole ledger. */
  segment(): ChainSegment {
    const { fromSeq, checked, first, headSeq, headHash, expectedSeq: nextSeq, firstInvalidSeq, reason } = this;
    return { fromSeq, checked, first, headSeq, headHash, nextSeq, firstInvalidSeq, reason };
  }

  private fail(seq: number, reason: ChainFailureReason): false {
    this.firstInvalidSeq = seq;
    this.reason = reason;
    return false;
  }
}
