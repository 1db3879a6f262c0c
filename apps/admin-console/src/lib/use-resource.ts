import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `load()` whenever `key` changes (and on `reload()`). A reload keeps showing the data it
 * refreshes; a new key starts empty, so one user's details never show under another's. An answer that arrives after a newer load started is dropped, so a slow page of
 * results can never overwrite the filters the administrator chose after it.
 */
export function useResource<T>(load: () => Promise<T>, key: string): Resource<T> {
  const [state, setState] = useState<{ key: string; data: T | undefined; error: unknown; loading: boolean }>({
    key,
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    const ticket = ++latest.current;
    setState((previous) => ({ key, data: previous.key === key ? previous.data : undefined, error: undefined, loading: true }));
    loader.current().then(
      (data) => {
        if (ticket === latest.current) setState({ key, data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (ticket === latest.current) setState((previous) => ({ ...previous, error, loading: false }));
      },
    );
    return () => {
      // An unmounted screen must not receive late answers either.
      if (ticket === latest.current) latest.current++;
    };
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  const current = state.key === key;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, loading: !current || state.loading, reload };
}
