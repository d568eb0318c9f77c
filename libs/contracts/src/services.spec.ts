import { sourceHeadProblems } from './services.js';

describe('sourceHeadProblems', () => {
  it('accepts a known source and a positive integer head', () => {
    expect(sourceHeadProblems({ source: 'proposals', headSeq: 1 })).toEqual([]);
    expect(sourceHeadProblems({ source: 'audit', headSeq: Number.MAX_SAFE_INTEGER })).toEqual([]);
  });

  it.each([
    [null, ['source', 'headSeq']],
    ['proposals', ['source', 'headSeq']],
    [{ source: 'gateway', headSeq: 3 }, ['source']],
    [{ source: 'reviews', headSeq: 0 }, ['headSeq']],
    [{ source: 'reviews', headSeq: 2.5 }, ['headSeq']],
    [{ source: 'reviews', headSeq: '7' }, ['headSeq']],
    [{ source: 'reviews', headSeq: 2 ** 53 }, ['headSeq']],
  ])('names what is wrong with %j', (data, fields) => {
    const problems = sourceHeadProblems(data);
    expect(problems.map((p) => p.split(' ')[0])).toEqual(fields);
  });
});
