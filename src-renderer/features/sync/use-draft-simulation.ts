// "Simulate with these drafts": a simulation of the unsaved form (sync.simulateDraft) over the preview's
// source, its progress (sync.progress for its run id), Cancel, and how it ended. Nothing is saved but
// the run in history (kind 'draft').
import { useCallback, useEffect, useRef, useState } from 'react';
import { call, errorInfoOf, subscribe } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { Input } from '../../../src-shared/ipc/contract';
import type { RunSummary, SyncProgress } from '../../../src-shared/domain/sync';
import { newId } from '../../ui/new-id';

/** Where a draft simulation stands. */
export type DraftSimulationState =
  | { phase: 'idle' }
  | { phase: 'running'; runId: string; progress: SyncProgress | null; cancelling: boolean }
  | { phase: 'done'; run: RunSummary }
  | { phase: 'error'; error: ErrorInfo };

/** What a draft simulation reads: the unsaved draft, its password input, the saved server (if any) and the source. */
export type DraftSimulationInput = Omit<Input<'sync.simulateDraft'>, 'runId'>;

/** Starts, follows and cancels draft simulations; `close` forgets the last one (a run still going is cancelled). */
export function useDraftSimulation() {
  const [state, setState] = useState<DraftSimulationState>({ phase: 'idle' });
  const current = useRef<string | null>(null);

  useEffect(
    () =>
      subscribe('sync.progress', (p) => {
        if (p.runId !== current.current) return;
        setState((s) => (s.phase === 'running' && s.runId === p.runId ? { ...s, progress: p } : s));
      }),
    [],
  );
  useEffect(
    () => () => {
      const runId = current.current;
      current.current = null;
      if (runId) call('sync.cancel', { runId }).catch(() => undefined);
    },
    [],
  );

  const start = useCallback(async (input: DraftSimulationInput) => {
    if (current.current) return;
    const runId = newId();
    current.current = runId;
    setState({ phase: 'running', runId, progress: null, cancelling: false });
    try {
      const run = await call('sync.simulateDraft', { ...input, runId });
      if (current.current === runId) setState({ phase: 'done', run });
    } catch (e) {
      if (current.current === runId) setState({ phase: 'error', error: errorInfoOf(e) });
    } finally {
      if (current.current === runId) current.current = null;
    }
  }, []);

  const cancel = useCallback(async () => {
    const runId = current.current;
    if (!runId) return;
    setState((s) => (s.phase === 'running' ? { ...s, cancelling: true } : s));
    try {
      await call('sync.cancel', { runId });
    } catch {
      setState((s) => (s.phase === 'running' ? { ...s, cancelling: false } : s));
    }
  }, []);

  const close = useCallback(() => {
    const runId = current.current;
    current.current = null;
    if (runId) call('sync.cancel', { runId }).catch(() => undefined);
    setState({ phase: 'idle' });
  }, []);

  return { state, start, cancel, close };
}
