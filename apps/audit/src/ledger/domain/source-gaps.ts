import { ValidationError } from '#libs/core';

/** A run of `sourceSeq` values missing from the ledger, both ends inclusive. */
export interface SourceGap {
  source: string;
  fromSeq: number;
  toSeq: number;
}

/**
 * Gaps in one source's sequence (which starts at 1), from its seqs in ascending order; duplicates
 * are allowed. Missing events after the highest seq are invisible here: nothing marks the end.
 */
export function gapsInSortedSeqs(source: string, sortedSeqs: Iterable<number>): SourceGap[] {
  const gaps: SourceGap[] = [];
  let last = 0;
  for (const seq of sortedSeqs) {
    if (seq < last) throw new ValidationError(`${source} seqs are not sorted: ${seq} after ${last}`);
    if (seq > last + 1) gaps.push({ source, fromSeq: last + 1, toSeq: seq - 1 });
    last = seq;
  }
  return gaps;
}

/** Collects `(source, sourceSeq)` pairs in any order and reports each source's gaps. */
export class SourceGapTracker {
  private readonly seqsBySource = new Map<string, number[]>();

  add(source: string, sourceSeq: number): void {
    if (!Number.isSafeInteger(sourceSeq) || sourceSeq < 1) {
      throw new ValidationError(`sourceSeq must be a positive integer, got ${sourceSeq}`);
    }
    const seqs = this.seqsBySource.get(source);
    if (seqs) seqs.push(sourceSeq);
    else this.seqsBySource.set(source, [sourceSeq]);
  }

  /** Gaps of every source, sources in name order. */
  gaps(): SourceGap[] {
    return (
      [...this.seqsBySource]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        // A typed array sorts numerically, without a comparator call per pair.
        .flatMap(([source, seqs]) => gapsInSortedSeqs(source, Float64Array.from(seqs).sort()))
    );
  }
}
