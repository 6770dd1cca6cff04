import { Dialog } from '../../ui/Dialog';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount, formatDuration } from '../../ui/format';
import { PlanView } from './PlanView';
import { RunProgress } from './RunProgress';
import { countsText, hasPlan, sourceText, StatusBadge } from './run-format';
import type { DraftSimulationState } from './use-draft-simulation';

/** Props of {@link DraftSimulationDialog}. */
export interface DraftSimulationDialogProps {
  state: Exclude<DraftSimulationState, { phase: 'idle' }>;
  onCancel: () => void;
  onClose: () => void;
}

/**
 * A draft simulation: its progress with Cancel while it reads, then its counts and the same plan view as
 * the Sync screen. Nothing was saved but the run in history (as a draft simulation).
 */
export function DraftSimulationDialog({ state, onCancel, onClose }: DraftSimulationDialogProps) {
  const run = state.phase === 'done' ? state.run : null;
  const failed = run && (run.status === 'failed' || run.status === 'interrupted');
  return (
    <Dialog
      title="Simulation with these drafts"
      testId="draft-simulation"
      className="dialog-plan"
      onClose={state.phase === 'running' ? onCancel : onClose}
      actions={
        <button type="button" onClick={onClose}>
          Close
        </button>
      }
    >
      {state.phase === 'running' && <RunProgress label="Simulating the drafts" progress={state.progress} cancelling={state.cancelling} onCancel={onCancel} />}
      {state.phase === 'error' && <ErrorBox error={state.error} lead={state.error.code === 'CANCELLED' ? 'Cancelled:' : 'The simulation did not run:'} testId="draft-error" />}
      {run && (
        <>
          <div className="run-outcome-head" data-testid="draft-outcome">
            <StatusBadge status={run.status} />
            <span>
              {run.entries !== null && `${formatCount(run.entries)} ${run.entries === 1 ? 'entry' : 'entries'} `}
              <span data-testid="draft-source">{sourceText(run) ?? 'from the live directory'}</span>
              {run.durationMs !== null && ` in ${formatDuration(run.durationMs)}`}
            </span>
          </div>
          {!failed && (
            <p className="run-counts" data-testid="draft-counts">
              {countsText(run.counts)}
            </p>
          )}
          {run.error && <ErrorBox error={run.error} lead={failed ? 'The simulation failed:' : undefined} testId="draft-run-error" />}
          <p className="muted">Computed with the unsaved form and scripts against the current users. Nothing was saved; History keeps it as a draft simulation.</p>
          {hasPlan(run) && <PlanView key={run.id} runId={run.id} />}
        </>
      )}
    </Dialog>
  );
}
