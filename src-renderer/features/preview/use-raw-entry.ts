// Fetches every attribute of one entry (preview.raw) for the raw view.
import { useCallback, useRef, useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { Input } from '../../../src-shared/ipc/contract';
import type { RawEntry } from '../../../src-shared/domain/preview';

/** The raw view's state: which DN is open, and its attributes or the error. */
export interface RawState {
  dn: string;
  entry: RawEntry | null;
  error: ErrorInfo | null;
}

/** What preview.raw needs besides the DN (the same session, draft and password as the preview). */
export type RawContext = Omit<Input<'preview.raw'>, 'dn'>;

/** Opens and closes the raw view; `context()` gives the current session, draft and password. */
export function useRawEntry(context: () => RawContext | null) {
  const [state, setState] = useState<RawState | null>(null);
  const seq = useRef(0);

  const open = useCallback(
    (dn: string) => {
      const ctx = context();
      const mine = ++seq.current;
      setState({ dn, entry: null, error: null });
      if (!ctx) {
        setState({ dn, entry: null, error: { code: 'INVALID_INPUT', message: 'Fix the connection fields to read this entry.' } });
        return;
      }
      call('preview.raw', { ...ctx, dn }).then(
        (entry) => {
          if (mine === seq.current) setState({ dn, entry, error: null });
        },
        (e: unknown) => {
          if (mine === seq.current) setState({ dn, entry: null, error: errorInfoOf(e) });
        },
      );
    },
    [context],
  );

  const close = useCallback(() => {
    seq.current++;
    setState(null);
  }, []);

  return { state, open, close };
}
