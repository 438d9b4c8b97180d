import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 0, (err as Error)?.message ?? String(err));
}
export { asApiError };

/**
 * Loads `fn` whenever `deps` change; with `pollMs`, again every interval (live views). A failed
 * refresh keeps the last good data on screen next to the error.
 */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[], pollMs = 0): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const out = await fnRef.current();
      if (mine !== seq.current) return;
      setData(out);
      setError(undefined);
    } catch (err) {
      if (mine === seq.current) setError(asApiError(err));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);
  useEffect(() => {
    setData(undefined);
    void reload();
    if (!pollMs) return;
    const t = setInterval(() => {
      if (document.visibilityState !== 'hidden') void reload();
    }, pollMs);
    return () => clearInterval(t);
  }, deps);
  return { data, error, loading, reload };
}

export interface Action {
  busy: boolean;
  error: ApiError | undefined;
  clear: () => void;
  /** Runs `fn`; resolves true when it succeeded, false when it failed (the error is kept). */
  run: (fn: () => Promise<unknown>) => Promise<boolean>;
}

/** Runs one user action at a time, keeping its error for display. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const run = useCallback(async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      return true;
    } catch (err) {
      setError(asApiError(err));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, clear: () => setError(undefined), run };
}
