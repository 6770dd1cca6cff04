// Runs started from the Sync screen (Simulate, Synchronize now, Apply a held plan), the progress main
// streams for any run of this process, and each server's latest outcome in this session.
import { useCallback, useEffect, useRef, useState } from 'react';
import { call, errorInfoOf, subscribe } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { RunSummary, SyncProgress } from '../../../src-shared/domain/sync';
import { notifyChanged } from '../../ui/data-events';
import { newId } from '../../ui/new-id';

/** What the admin asked for. */
export type RunMode = 'simulate' | 'sync' | 'approve';

/** The run this screen started and waits for. */
export interface LocalRun {
  runId: string;
  serverId: string;
  mode: RunMode;
  cancelling: boolean;
}

/** How a server's latest action in this session ended: a run, or a refusal before any run. */
export type Outcome = { kind: 'run'; run: RunSummary } | { kind: 'error'; mode: RunMode | 'discard' | 'cancel'; error: ErrorInfo };

/** The Sync screen's runs; `onEnded` hears every run this screen started, once it ends. */
export function useSyncRuns(onEnded: (run: RunSummary) => void) {
  const [local, setLocal] = useState<LocalRun | null>(null);
  const [progress, setProgress] = useState<Record<string, SyncProgress>>({});
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  // Runs known to have ended: a late progress event or a not-yet-reloaded overview must not revive them.
  const [ended, setEnded] = useState<ReadonlySet<string>>(() => new Set());
  const endedRef = useRef(ended);
  endedRef.current = ended;
  const markEnded = useCallback((runId: string) => setEnded((s) => (s.has(runId) ? s : new Set(s).add(runId))), []);
  const onEndedRef = useRef(onEnded);
  onEndedRef.current = onEnded;
  const localRef = useRef<LocalRun | null>(null);
  localRef.current = local;

  useEffect(
    () =>
      subscribe('sync.progress', (p) => {
        if (!endedRef.current.has(p.runId)) setProgress((all) => ({ ...all, [p.runId]: p }));
      }),
    [],
  );
  useEffect(
    () =>
      subscribe('sync.finished', (run) => {
        markEnded(run.id);
        setProgress((all) => {
          if (!(run.id in all)) return all;
          const { [run.id]: _, ...rest } = all;
          return rest;
        });
      }),
    [markEnded],
  );

  const setOutcome = useCallback((serverId: string, outcome: Outcome | null) => {
    setOutcomes((all) => {
      const { [serverId]: _, ...rest } = all;
      return outcome ? { ...rest, [serverId]: outcome } : rest;
    });
  }, []);

  const track = useCallback(
    async (serverId: string, mode: RunMode, runId: string, start: () => Promise<RunSummary>) => {
      if (localRef.current) return;
      const run: LocalRun = { runId, serverId, mode, cancelling: false };
      localRef.current = run;
      setLocal(run);
      setOutcome(serverId, null);
      try {
        const summary = await start();
        setOutcome(serverId, { kind: 'run', run: summary });
        onEndedRef.current(summary);
      } catch (e) {
        setOutcome(serverId, { kind: 'error', mode, error: errorInfoOf(e) });
      } finally {
        localRef.current = null;
        markEnded(runId);
        setLocal(null);
        setProgress((all) => {
          const { [runId]: _, ...rest } = all;
          return rest;
        });
        notifyChanged('runs', 'users', 'orgs', 'roles');
      }
    },
    [setOutcome, markEnded],
  );

  /** Simulates or synchronizes one server; resolves when the run ends. */
  const start = useCallback(
    (serverId: string, mode: 'simulate' | 'sync') => {
      const runId = newId();
      return track(serverId, mode, runId, () => call('sync.start', { runId, serverId, mode }));
    },
    [track],
  );

  /** Applies exactly the plan of a held run, as a new run. */
  const approve = useCallback(
    (held: RunSummary) => {
      if (!held.serverId) return Promise.resolve();
      const newRunId = newId();
      return track(held.serverId, 'approve', newRunId, () => call('sync.approve', { runId: held.id, newRunId }));
    },
    [track],
  );

  /** Drops a held plan. */
  const discard = useCallback(
    async (held: RunSummary) => {
      if (!held.serverId) return;
      const serverId = held.serverId;
      try {
        const run = await call('sync.discard', { runId: held.id });
        setOutcome(serverId, { kind: 'run', run });
      } catch (e) {
        setOutcome(serverId, { kind: 'error', mode: 'discard', error: errorInfoOf(e) });
      } finally {
        notifyChanged('runs');
      }
    },
    [setOutcome],
  );

  /** Asks main to stop a run (ours, or another run of this process we have progress for). */
  const cancel = useCallback(
    async (runId: string, serverId: string) => {
      setLocal((l) => (l && l.runId === runId ? { ...l, cancelling: true } : l));
      try {
        const { cancelled } = await call('sync.cancel', { runId });
        if (!cancelled && localRef.current?.runId !== runId) notifyChanged('runs');
      } catch (e) {
        setLocal((l) => (l && l.runId === runId ? { ...l, cancelling: false } : l));
        setOutcome(serverId, { kind: 'error', mode: 'cancel', error: errorInfoOf(e) });
      }
    },
    [setOutcome],
  );

  const dismiss = useCallback((serverId: string) => setOutcome(serverId, null), [setOutcome]);

  return { local, progress, outcomes, ended, start, approve, discard, cancel, dismiss };
}

/** The value returned by {@link useSyncRuns}. */
export type SyncRuns = ReturnType<typeof useSyncRuns>;
