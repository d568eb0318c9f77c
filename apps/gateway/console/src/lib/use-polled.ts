import { useCallback, useEffect, useRef, useState } from 'react';

export const POLL_INTERVAL_MS = 2000;

export interface Polled<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  /** Loads again now (after a command) instead of waiting for the next tick. */
  refresh: () => Promise<void>;
}

/**
 * Loads `load()` and reloads it every interval while the tab is visible, so the page follows
 * changes made elsewhere without a reload. `key` names what is loaded: when it changes, the
 * old data is dropped and loaded afresh. When `reloadOn` changes, it loads again at once and
 * keeps showing the old data meanwhile. Ticks never overlap a load still in flight.
 */
export function usePolled<T>(load: () => Promise<T>, key: string, intervalMs = POLL_INTERVAL_MS, enabled = true, reloadOn?: unknown): Polled<T> {
  const [state, setState] = useState<{ key: string; data: T | undefined; error: Error | null }>({
    key,
    data: undefined,
    error: null,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
  const inFlight = useRef<Promise<void> | null>(null);

  const run = useCallback((): Promise<void> => {
    if (inFlight.current) return inFlight.current;
    const mine = generation.current;
    const task: Promise<void> = loadRef
      .current()
      .then(
        (data) => {
          if (mine === generation.current) setState({ key, data, error: null });
        },
        (error: unknown) => {
          if (mine !== generation.current) return;
          const failure = error instanceof Error ? error : new Error(String(error));
          setState((prev) => ({ key, data: prev.key === key ? prev.data : undefined, error: failure }));
        },
      )
      .finally(() => {
        if (inFlight.current === task) inFlight.current = null;
      });
    inFlight.current = task;
    return task;
  }, [key]);

  const refresh = useCallback(async () => {
    // A load that started before the command may carry the old state: wait for it, then load again.
    if (inFlight.current) await inFlight.current;
    await run();
  }, [run]);

  useEffect(() => {
    if (!enabled) return undefined;
    generation.current += 1;
    inFlight.current = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const tick = async () => {
      if (document.visibilityState === 'visible') await run();
      if (!stopped) timer = setTimeout(tick, intervalMs);
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') void run();
    };
    void tick();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [run, intervalMs, enabled]);

  const loadedFor = useRef(reloadOn);
  useEffect(() => {
    if (!enabled || loadedFor.current === reloadOn) return;
    loadedFor.current = reloadOn;
    void refresh();
  }, [reloadOn, refresh, enabled]);

  const fresh = state.key === key;
  return {
    data: fresh ? state.data : undefined,
    error: fresh ? state.error : null,
    loading: enabled && (!fresh || (state.data === undefined && state.error === null)),
    refresh,
  };
}
