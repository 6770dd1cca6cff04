// Loads one piece of data for a screen: again when its key changes, when a change topic it depends on
// fires, and when a hidden screen is shown again after missing a change. Keeps showing the previous
// data while reloading (no flicker) and drops answers that arrive after a newer request.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorInfoOf } from '../api';
import type { ErrorInfo } from '../../src-shared/errors';
import { onChanged, type Topic } from './data-events';

/** Options of {@link useResource}. */
export interface ResourceOptions {
  /** False while the screen is hidden: changes only mark the data stale. Default true. */
  active?: boolean;
  /** Change topics that make the data stale. */
  topics?: readonly Topic[];
}

/** The state of one loaded value and its controls. */
export interface Resource<T> {
  /** Null until the first answer. */
  data: T | null;
  error: ErrorInfo | null;
  loading: boolean;
  reload: () => Promise<void>;
  /** Replaces the data with a value the caller already has (e.g. what a save returned). */
  mutate: (data: T) => void;
}

/** Loads `load()` and keeps it current; `key` names the request (a change reloads). */
export function useResource<T>(load: () => Promise<T>, key: string, { active = true, topics = [] }: ResourceOptions = {}): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [loading, setLoading] = useState(false);
  const loadRef = useRef(load);
  loadRef.current = load;
  const activeRef = useRef(active);
  activeRef.current = active;
  const seq = useRef(0);
  const stale = useRef(true);
  const loadedKey = useRef<string | null>(null);

  const reload = useCallback(async () => {
    const n = ++seq.current;
    stale.current = false;
    setLoading(true);
    try {
      const value = await loadRef.current();
      if (n !== seq.current) return;
      setData(value);
      setError(null);
    } catch (e) {
      if (n !== seq.current) return;
      setError(errorInfoOf(e));
    } finally {
      if (n === seq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (loadedKey.current !== key) stale.current = true;
    if (active && stale.current) {
      loadedKey.current = key;
      void reload();
    }
  }, [key, active, reload]);

  const topicsKey = topics.join(',');
  useEffect(() => {
    if (!topicsKey) return;
    return onChanged(topicsKey.split(',') as Topic[], () => {
      if (activeRef.current) void reload();
      else stale.current = true;
    });
  }, [topicsKey, reload]);

  const mutate = useCallback((value: T) => {
    seq.current++;
    setData(value);
    setError(null);
    setLoading(false);
  }, []);

  return { data, error, loading, reload, mutate };
}
