// One cancellable snapshot job (a capture or a comparison): its id, the progress main streams as
// 'snapshot.progress' for that id, and Cancel.
import { useCallback, useEffect, useRef, useState } from 'react';
import { call, errorInfoOf, subscribe } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { SnapshotProgress } from '../../../src-shared/domain/snapshot';
import { newId } from '../../ui/new-id';

/** The job in progress. */
export interface RunningJob {
  jobId: string;
  progress: SnapshotProgress | null;
  cancelling: boolean;
}

/** How a job ended. */
export type JobOutcome<T> = { ok: true; data: T } | { ok: false; error: ErrorInfo };

/** Runs one job at a time; `running` is null while idle. Unmounting cancels a job still running. */
export function useSnapshotJob() {
  const [running, setRunning] = useState<RunningJob | null>(null);
  const current = useRef<string | null>(null);

  useEffect(
    () =>
      subscribe('snapshot.progress', (p) => {
        if (p.jobId !== current.current) return;
        setRunning((r) => (r && r.jobId === p.jobId ? { ...r, progress: p } : r));
      }),
    [],
  );
  useEffect(
    () => () => {
      const jobId = current.current;
      current.current = null;
      if (jobId) call('snapshots.cancel', { jobId }).catch(() => undefined);
    },
    [],
  );

  /** Starts `start(jobId)`; resolves with its data or its error (a cancelled job is a CANCELLED error). */
  const run = useCallback(async <T,>(start: (jobId: string) => Promise<T>): Promise<JobOutcome<T>> => {
    const jobId = newId();
    current.current = jobId;
    setRunning({ jobId, progress: null, cancelling: false });
    try {
      return { ok: true, data: await start(jobId) };
    } catch (e) {
      return { ok: false, error: errorInfoOf(e) };
    } finally {
      if (current.current === jobId) {
        current.current = null;
        setRunning(null);
      }
    }
  }, []);

  /** Asks main to stop the running job; the job then ends with a CANCELLED error. */
  const cancel = useCallback(async () => {
    const jobId = current.current;
    if (!jobId) return;
    setRunning((r) => (r ? { ...r, cancelling: true } : r));
    try {
      await call('snapshots.cancel', { jobId });
    } catch {
      setRunning((r) => (r ? { ...r, cancelling: false } : r));
    }
  }, []);

  return { running, run, cancel };
}
