import { RateLimitWindows } from './rate-limit-windows.js';

describe('RateLimitWindows', () => {
  it('admits 1 % of the limit here between reports, then leaves the decision to Redis', () => {
    const windows = new RateLimitWindows(500);
    const admitted = Array.from({ length: 6 }, () => windows.admitLocally('a', 0));
    expect(admitted).toEqual([499, 498, 497, 496, 495, null]);
    // Redis is asked with the five admitted here and the current request.
    expect(windows.take('a', 0, true)).toBe(6);
    windows.answered('a', 0, 40, 60_000);
    expect(windows.admitLocally('a', 1)).toBe(459);
  });

  it('asks Redis for every request of a limit under 100, so small limits stay exact', () => {
    const windows = new RateLimitWindows(99);
    expect(windows.admitLocally('a', 0)).toBeNull();
    expect(windows.take('a', 0, true)).toBe(1);
  });

  it('asks Redis once the known count and what was admitted here reach the limit', () => {
    const windows = new RateLimitWindows(1000);
    windows.answered('a', 0, 995, 30_000);
    expect(Array.from({ length: 6 }, () => windows.admitLocally('a', 0))).toEqual([4, 3, 2, 1, 0, null]);
    windows.answered('a', 0, 1001, 30_000);
    expect(windows.admitLocally('a', 0)).toBeNull();
  });

  it('keeps clients apart', () => {
    const windows = new RateLimitWindows(200);
    expect([windows.admitLocally('a', 0), windows.admitLocally('a', 0), windows.admitLocally('a', 0)]).toEqual([199, 198, null]);
    expect(windows.admitLocally('b', 0)).toBe(199);
  });

  it('starts a new window when Redis said the last one ends, keeping what is not yet reported', () => {
    const windows = new RateLimitWindows(1000);
    windows.answered('a', 0, 1000, 60_000);
    expect(windows.admitLocally('a', 59_999)).toBeNull();
    expect(windows.admitLocally('a', 60_000)).toBe(999);
    expect(windows.take('a', 60_000, false)).toBe(1);
  });

  it('reports only the clients with requests admitted here', () => {
    const windows = new RateLimitWindows(1000);
    windows.admitLocally('a', 0);
    windows.answered('b', 0, 3, 10);
    expect(windows.unreported(0)).toEqual(['a']);
    expect(windows.take('a', 0, false)).toBe(1);
    windows.answered('a', 0, 1, 60_000);
    expect(windows.unreported(20)).toEqual([]);
  });
});
