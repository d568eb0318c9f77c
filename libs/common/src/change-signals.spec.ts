import { preferredWait } from './await-change.interceptor.js';
import { ChangeSignals } from './change-signals.js';

describe('ChangeSignals', () => {
  it('wakes a wait when one of its keys is signalled, whatever the case of the id', async () => {
    const signals = new ChangeSignals();
    const wait = signals.waitFor(['AbC', 'def'], 60_000);
    let woken = false;
    void wait.settled.then(() => (woken = true));
    signals.notify(['other']);
    await Promise.resolve();
    expect(woken).toBe(false);

    signals.notify(['abc']);
    await wait.settled;

    expect(woken).toBe(true);
    // Every key of the wait is released, not only the one signalled.
    expect(signals.size).toBe(0);
  });

  it('ends a wait on its timer, or when cancelled, and forgets it', async () => {
    const signals = new ChangeSignals();
    const started = Date.now();
    await signals.waitFor(['a'], 30).settled;
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    const cancelled = signals.waitFor(['a', 'b'], 60_000);
    cancelled.cancel();
    await cancelled.settled;
    expect(signals.size).toBe(0);
  });
});

describe('preferredWait', () => {
  it.each([
    ['wait=5', 5],
    ['respond-async, wait=10', 10],
    ['wait="3"', 3],
    ['WAIT = 2', 2],
    ['wait=86400', 20],
    ['wait=0', 0],
  ])('reads %s as %d seconds', (header, seconds) => {
    expect(preferredWait(header)).toBe(seconds);
  });

  it.each([[undefined], [''], ['respond-async'], ['wait=soon'], ['wait=-1'], ['nowait=5'], ['wait=5x']])('ignores %s', (header) => {
    expect(preferredWait(header)).toBeNull();
  });
});
