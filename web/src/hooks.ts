// Data loading for screens: one request per `deps` change, optional polling for live views. Polling (not
// SSE) keeps live updates simple and robust: no long-lived connection through proxies, nothing to resume,
// and the API already answers every view in one cheap GET. It pauses while the tab is hidden.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): Promise<void>;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const seq = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const v = await loadRef.current();
      if (mine === seq.current) {
        setData(v);
        setError(undefined);
      }
    } catch (e) {
      if (mine === seq.current) setError(e as Error);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setLoading(true);
    setData(undefined);
    void reload();
    if (!pollMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') void reload();
    }, pollMs);
    return () => clearInterval(timer);
    // biome-ignore lint/correctness/useExhaustiveDependencies: deps are the caller's (a hook of hooks)
  }, deps);

  return { data, error, loading, reload };
}
