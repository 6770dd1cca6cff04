// Runs the connection doctor (servers.test) and follows its stages live through doctor.stage events.
import { useCallback, useEffect, useRef, useState } from 'react';
import { call, errorInfoOf, subscribe } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { Input } from '../../../src-shared/ipc/contract';
import { STAGE_NAMES, type DoctorReport, type StageName, type StageResult } from '../../../src-shared/domain/doctor';

/** How a stage row looks: a result, the one in progress, one still to come. */
export type StageStatus = 'passed' | 'failed' | 'skipped' | 'running' | 'pending';

/** The doctor's state for the latest run; `runId` null means no test has run in this form yet. */
export interface DoctorState {
  runId: string | null;
  running: boolean;
  cancelled: boolean;
  stages: Partial<Record<StageName, StageResult>>;
  report: DoctorReport | null;
  /** The call itself failed (bad input, main unreachable), as opposed to a failed stage. */
  error: ErrorInfo | null;
}

/** What one run ended with. */
export type DoctorOutcome = { report: DoctorReport; error: null } | { report: null; error: ErrorInfo } | { report: null; error: null };

const IDLE: DoctorState = { runId: null, running: false, cancelled: false, stages: {}, report: null, error: null };

function newRunId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The status of each stage row, in STAGE_NAMES order. */
export function stageStatuses(state: DoctorState): Record<StageName, StageStatus> {
  const out = {} as Record<StageName, StageStatus>;
  let runningShown = false;
  for (const name of STAGE_NAMES) {
    const result = state.stages[name];
    if (result) out[name] = result.ok === true ? 'passed' : result.ok === false ? 'failed' : 'skipped';
    else if (!state.running) out[name] = 'skipped';
    else if (!runningShown) {
      out[name] = 'running';
      runningShown = true;
    } else out[name] = 'pending';
  }
  return out;
}

/** The connection doctor for one form. A new run replaces (and cancels) a running one. */
export function useDoctor() {
  const [state, setState] = useState<DoctorState>(IDLE);
  const active = useRef<{ runId: string; unsubscribe: () => void } | null>(null);

  const stopListening = useCallback((cancelRun: boolean) => {
    const current = active.current;
    if (!current) return;
    active.current = null;
    current.unsubscribe();
    if (cancelRun) call('servers.cancelTest', { runId: current.runId }).catch(() => undefined);
  }, []);

  // Leaving the form cancels a test still running, so main does not keep a connection open for nobody.
  useEffect(() => () => stopListening(true), [stopListening]);

  const run = useCallback(
    async (input: Omit<Input<'servers.test'>, 'runId'>): Promise<DoctorOutcome> => {
      stopListening(true);
      const runId = newRunId();
      const unsubscribe = subscribe('doctor.stage', (payload) => {
        if (payload.runId !== runId) return;
        setState((s) => (s.runId === runId && s.running ? { ...s, stages: { ...s.stages, [payload.stage.name]: payload.stage } } : s));
      });
      active.current = { runId, unsubscribe };
      setState({ ...IDLE, runId, running: true });
      try {
        const report = await call('servers.test', { ...input, runId });
        if (active.current?.runId !== runId) return { report: null, error: null };
        const stages: Partial<Record<StageName, StageResult>> = {};
        for (const stage of report.stages) stages[stage.name] = stage;
        setState((s) => ({ ...s, running: false, report, stages }));
        return { report, error: null };
      } catch (e) {
        if (active.current?.runId !== runId) return { report: null, error: null };
        const error = errorInfoOf(e);
        setState((s) => ({ ...s, running: false, error }));
        return { report: null, error };
      } finally {
        if (active.current?.runId === runId) stopListening(false);
      }
    },
    [stopListening],
  );

  /** Asks main to stop the running test; the run then ends with whatever main reports. */
  const cancel = useCallback(async () => {
    const runId = active.current?.runId;
    if (!runId) return;
    setState((s) => (s.runId === runId ? { ...s, cancelled: true } : s));
    try {
      await call('servers.cancelTest', { runId });
    } catch {
      // The run may have just finished; its result is shown either way.
    }
  }, []);

  return { state, run, cancel };
}
