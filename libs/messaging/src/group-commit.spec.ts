import { GroupCommit } from './group-commit.js';

/** A write whose calls are recorded and which finishes only when the test says so. */
function controlledWrite() {
  const calls: Array<{ items: number[]; finish: () => void; fail: (err: Error) => void }> = [];
  const write = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ items, finish: () => resolve(items.map((i) => `r${i}`)), fail: reject });
    });
  return { calls, write };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('writes items submitted in the same turn as one group and gives each caller its own result', async () => {
    const { calls, write } = controlledWrite();
    const commit = new GroupCommit(write, 10);
    const results = [1, 2, 3].map((i) => commit.submit(i));
    await turn();
    expect(calls.map((c) => c.items)).toEqual([[1, 2, 3]]);

    calls[0].finish();

    await expect(Promise.all(results)).resolves.toEqual(['r1', 'r2', 'r3']);
  });

  it('collects what arrives during a write into the next group, and only then writes it', async () => {
    const { calls, write } = controlledWrite();
    const commit = new GroupCommit(write, 10);
    const first = commit.submit(1);
    await turn();
    const later = [2, 3].map((i) => commit.submit(i));
    await turn();
    expect(calls).toHaveLength(1);

    calls[0].finish();
    await first;
    await turn();

    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3]]);
    calls[1].finish();
    await expect(Promise.all(later)).resolves.toEqual(['r2', 'r3']);
  });

  it('never puts more than maxGroup items in one write', async () => {
    const commit = new GroupCommit(async (items: number[]) => items.map(() => items.length), 2);

    const sizes = await Promise.all([1, 2, 3, 4, 5].map((i) => commit.submit(i)));

    expect(sizes).toEqual([2, 2, 2, 2, 1]);
  });

  it('starts another writer for what arrives during a write, up to maxWriters, and queues the rest', async () => {
    const { calls, write } = controlledWrite();
    const commit = new GroupCommit(write, 10, 2);
    const results = [commit.submit(1)];
    await turn();
    results.push(commit.submit(2), commit.submit(3));
    await turn();
    results.push(commit.submit(4));
    await turn();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3]]);

    calls[1].finish();
    await turn();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3], [4]]);
    calls[0].finish();
    calls[2].finish();
    await expect(Promise.all(results)).resolves.toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('rejects every caller of a failed group, and the next group is written as usual', async () => {
    const { calls, write } = controlledWrite();
    const commit = new GroupCommit(write, 10);
    const failed = [1, 2].map((i) => commit.submit(i));
    await turn();
    calls[0].fail(new Error('serialization failure'));

    for (const result of failed) await expect(result).rejects.toThrow('serialization failure');
    const next = commit.submit(3);
    await turn();
    calls[1].finish();
    await expect(next).resolves.toBe('r3');
  });
});
