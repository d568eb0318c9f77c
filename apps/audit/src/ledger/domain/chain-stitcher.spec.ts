import fc from 'fast-check';
import { checkpointsWithin, segmentBounds, stitchSegments, type SegmentBounds } from './chain-stitcher.js';
import { ChainVerifier, type ChainCheckpoint } from './chain-verifier.js';
import { buildChain, rehash } from './ledger-entry.fixtures.js';
import { chainEntry, toStoredEntry, type LedgerEntry } from './ledger-hash.js';

const CHAIN = buildChain(60);
const at = (seq: number) => CHAIN[seq - 1];

function single(entries: LedgerEntry[], checkpoints: ChainCheckpoint[] = []) {
  const verifier = new ChainVerifier(checkpoints);
  for (const entry of entries) verifier.push(toStoredEntry(entry));
  return verifier.result();
}

/** What verifyLedger does with worker threads, in memory: each segment reads its seq range on its own. */
function segmented(entries: LedgerEntry[], checkpoints: ChainCheckpoint[], bounds: SegmentBounds[]) {
  const segments = bounds.map((b) => {
    const verifier = new ChainVerifier(checkpointsWithin(checkpoints, b), { seq: b.fromSeq, prevHash: null });
    for (const entry of entries) if (entry.seq >= b.fromSeq && (b.toSeq === null || entry.seq <= b.toSeq)) verifier.push(toStoredEntry(entry));
    return verifier.segment();
  });
  return stitchSegments(segments, checkpoints);
}

const forged = (entry: LedgerEntry): LedgerEntry => ({ ...entry, payload: { forged: true } });
// Three segments: 1..20, 21..40, 41.. (open-ended).
const THREE = segmentBounds(60, 3);

describe('segmentBounds', () => {
  it('covers 1..head in ranges of about equal size, the last one open-ended', () => {
    expect(segmentBounds(60, 3)).toEqual([
      { fromSeq: 1, toSeq: 20 },
      { fromSeq: 21, toSeq: 40 },
      { fromSeq: 41, toSeq: null },
    ]);
    expect(segmentBounds(5, 2)).toEqual([
      { fromSeq: 1, toSeq: 3 },
      { fromSeq: 4, toSeq: null },
    ]);
    expect(segmentBounds(0, 1)).toEqual([{ fromSeq: 1, toSeq: null }]);
  });
});

describe('stitchSegments', () => {
  it('gives a valid chain the verdict and head of a single pass', () => {
    const checkpoints = [20, 21, 60].map((seq) => ({ seq, hash: at(seq).hash }));

    expect(segmented(CHAIN, checkpoints, THREE)).toEqual(single(CHAIN, checkpoints));
    expect(segmented(CHAIN, checkpoints, THREE)).toMatchObject({ valid: true, checked: 60, headSeq: 60 });
  });

  it('finds a changed first entry of a segment at that entry', () => {
    const tampered = CHAIN.map((e) => (e.seq === 21 ? forged(e) : e));

    expect(segmented(tampered, [], THREE)).toMatchObject({ valid: false, firstInvalidSeq: 21, reason: 'hash mismatch' });
  });

  it('finds a rehashed last entry of a segment by the link of the next segment', () => {
    const tampered = CHAIN.map((e) => (e.seq === 20 ? chainEntry(forged(e), at(19).hash) : e));

    expect(segmented(tampered, [], THREE)).toMatchObject({ valid: false, firstInvalidSeq: 21, reason: 'prevHash mismatch' });
  });

  it('finds a deleted last entry of a segment at its seq', () => {
    const tampered = CHAIN.filter((e) => e.seq !== 40);

    expect(segmented(tampered, [], THREE)).toMatchObject({ valid: false, firstInvalidSeq: 40, reason: 'seq gap', checked: 59 });
  });

  it('finds a deleted whole segment at its first seq', () => {
    const tampered = CHAIN.filter((e) => e.seq <= 20 || e.seq > 40);

    expect(segmented(tampered, [], THREE)).toMatchObject({ valid: false, firstInvalidSeq: 21, reason: 'seq gap', headSeq: 60 });
  });

  it('reports the first failure across segments, whichever segment finished first', () => {
    const tampered = CHAIN.filter((e) => e.seq !== 50).map((e) => (e.seq === 30 ? forged(e) : e));

    expect(segmented(tampered, [], THREE)).toEqual({ ...single(tampered), firstInvalidSeq: 30, reason: 'hash mismatch' });
    expect(segmented(tampered, [], THREE)).toMatchObject({ checked: 59, headSeq: 60, headHash: at(60).hash });
  });

  it("checks a segment's first entry in a single pass's order: its hash, its link, then a checkpoint", () => {
    const rewritten = [...CHAIN.slice(0, 20), ...rehash(CHAIN.slice(20).map(forged), at(20).hash).map((e, i) => (i === 0 ? { ...e, prevHash: 'f'.repeat(64) } : e))];
    const checkpoints = [{ seq: 21, hash: at(21).hash }];

    expect(segmented(rewritten, checkpoints, THREE)).toEqual(single(rewritten, checkpoints));
  });

  it('finds a truncated tail against a checkpoint in a segment left empty', () => {
    const checkpoints = [{ seq: 45, hash: at(45).hash }];

    expect(segmented(CHAIN.slice(0, 38), checkpoints, THREE)).toEqual({ ...single(CHAIN.slice(0, 38), checkpoints), checked: 38 });
    expect(segmented(CHAIN.slice(0, 38), checkpoints, THREE)).toMatchObject({ firstInvalidSeq: 39, reason: 'truncated' });
  });

  it('gives the verdict of a single pass for any tampering and any split', () => {
    type Tamper =
      | { kind: 'delete' | 'forge' | 'relink' | 'rewrite' | 'truncate' | 'close-up'; seq: number }
      | { kind: 'swap-content'; seq: number };
    const tamper = fc.record({
      kind: fc.constantFrom('delete', 'forge', 'relink', 'rewrite', 'truncate', 'close-up', 'swap-content'),
      seq: fc.integer({ min: 1, max: 60 }),
    }) as fc.Arbitrary<Tamper>;

    /** Tampering as the database would deliver it: unique seqs, in seq order. */
    function apply(entries: LedgerEntry[], t: Tamper): LedgerEntry[] {
      const i = entries.findIndex((e) => e.seq === t.seq);
      if (i < 0) return entries;
      const before = entries.slice(0, i);
      const rest = entries.slice(i);
      const prevHash = i > 0 ? entries[i - 1].hash : rest[0].prevHash;
      switch (t.kind) {
        case 'delete':
          return [...before, ...rest.slice(1)];
        case 'forge':
          return [...before, forged(rest[0]), ...rest.slice(1)];
        case 'relink':
          return [...before, chainEntry(forged(rest[0]), prevHash), ...rest.slice(1)];
        case 'rewrite':
          return [...before, ...rehash([forged(rest[0]), ...rest.slice(1)], prevHash)];
        case 'truncate':
          return before;
        case 'close-up':
          return [...before, ...rest.slice(1).map((e) => ({ ...e, seq: e.seq - 1 }))];
        case 'swap-content':
          return rest.length < 2 ? entries : [...before, { ...rest[1], seq: rest[0].seq }, { ...rest[0], seq: rest[1].seq }, ...rest.slice(2)];
      }
    }

    fc.assert(
      fc.property(
        fc.array(tamper, { maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 70 }), { maxLength: 4 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 70 }),
        (tampers, checkpointSeqs, count, splitHead) => {
          const entries = tampers.reduce(apply, CHAIN);
          // Checkpoints signed over the original chain; those beyond it can only mean truncation.
          const checkpoints = checkpointSeqs.map((seq) => ({ seq, hash: seq <= 60 ? at(seq).hash : 'e'.repeat(64) }));

          expect(segmented(entries, checkpoints, segmentBounds(splitHead, count))).toEqual(single(entries, checkpoints));
        },
      ),
      { numRuns: 300 },
    );
  });
});
