import { ValidationError } from '#libs/core';
import { gapsInSortedSeqs, SourceGapTracker } from './source-gaps.js';

describe('gapsInSortedSeqs', () => {
  it('finds no gap in a sequence from 1 without holes', () => {
    expect(gapsInSortedSeqs('proposals', [1, 2, 3])).toEqual([]);
    expect(gapsInSortedSeqs('proposals', [])).toEqual([]);
  });

  it('finds a missing start and holes in the middle, as inclusive ranges', () => {
    expect(gapsInSortedSeqs('reviews', [3, 4, 7, 8, 10])).toEqual([
      { source: 'reviews', fromSeq: 1, toSeq: 2 },
      { source: 'reviews', fromSeq: 5, toSeq: 6 },
      { source: 'reviews', fromSeq: 9, toSeq: 9 },
    ]);
  });

  it('treats a repeated seq as present once', () => {
    expect(gapsInSortedSeqs('reviews', [1, 1, 2, 2, 4])).toEqual([{ source: 'reviews', fromSeq: 3, toSeq: 3 }]);
  });

  it('refuses seqs that are not sorted, rather than report wrong gaps', () => {
    expect(() => gapsInSortedSeqs('reviews', [1, 3, 2])).toThrow(ValidationError);
  });
});

describe('SourceGapTracker', () => {
  it('reports the gaps of each source from pairs fed in any order', () => {
    const tracker = new SourceGapTracker();
    const pairs: Array<[string, number]> = [
      ['reviews', 5],
      ['proposals', 2],
      ['reviews', 1],
      ['proposals', 1],
      ['reviews', 2],
      ['assessments', 3],
      ['proposals', 3],
      ['reviews', 10],
      ['reviews', 2],
    ];
    for (const [source, seq] of pairs) tracker.add(source, seq);

    expect(tracker.gaps()).toEqual([
      { source: 'assessments', fromSeq: 1, toSeq: 2 },
      { source: 'reviews', fromSeq: 3, toSeq: 4 },
      { source: 'reviews', fromSeq: 6, toSeq: 9 },
    ]);
  });

  it('sorts seqs as numbers, not as text', () => {
    const tracker = new SourceGapTracker();
    for (let seq = 12; seq >= 1; seq--) if (seq !== 2) tracker.add('disbursements', seq);

    expect(tracker.gaps()).toEqual([{ source: 'disbursements', fromSeq: 2, toSeq: 2 }]);
  });

  it('has no gaps before anything is fed', () => {
    expect(new SourceGapTracker().gaps()).toEqual([]);
  });

  it('refuses a sourceSeq that is not a positive integer', () => {
    const tracker = new SourceGapTracker();

    expect(() => tracker.add('proposals', 0)).toThrow(ValidationError);
    expect(() => tracker.add('proposals', 2.5)).toThrow(ValidationError);
  });
});
