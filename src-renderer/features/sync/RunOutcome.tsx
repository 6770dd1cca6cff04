import type { RunSummary } from '../../../src-shared/domain/sync';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount, formatDateTime, formatDuration, relativeTime } from '../../ui/format';
import { countsText, hasPlan, runTitle, sourceText, StatusBadge } from './run-format';
import type { Outcome } from './use-sync-runs';

const MODE_LEADS: Record<Exclude<Outcome, { kind: 'run' }>['mode'], string> = {
  simulate: 'Simulate did not run:',
  sync: 'Synchronize did not run:',
  approve: 'The held plan was not applied:',
  discard: 'The held plan was not discarded:',
  cancel: 'Could not cancel:',
};

/** Props of {@link RunOutcome}. */
export interface RunOutcomeProps {
  outcome: Outcome;
  now: number;
  onShowPlan: (run: RunSummary) => void;
  /** Held plan actions; shown while the run still waits for approval. */
  held?: { onReview: () => void; onApprove: () => void; onDiscard: () => void; disabled: boolean } | null;
  onDismiss?: () => void;
}

/**
 * How a run ended, where the admin pressed the button: its status badge and counts; a failure's
 * message in full; a held plan's reason with Review / Apply / Discard.
 */
export function RunOutcome({ outcome, now, onShowPlan, held, onDismiss }: RunOutcomeProps) {
  if (outcome.kind === 'error') {
    if (outcome.error.code === 'CANCELLED') {
      return (
        <div className="run-outcome" data-testid="run-outcome" role="status">
          <span className="badge badge-muted">Cancelled</span> <span className="muted">{outcome.error.message}</span>
        </div>
      );
    }
    return <ErrorBox error={outcome.error} lead={MODE_LEADS[outcome.mode]} testId="run-error" onDismiss={onDismiss} />;
  }
  const { run } = outcome;
  const failed = run.status === 'failed' || run.status === 'interrupted';
  return (
    <div className={`run-outcome run-outcome-${run.status}`} data-testid="run-outcome" role={failed ? undefined : 'status'}>
      <div className="run-outcome-head">
        <StatusBadge status={run.status} />
        <span>
          {runTitle(run)}
          {run.source && (
            <span data-testid="run-source"> {sourceText(run)}</span>
          )}
          {run.finishedAt && (
            <>
              {' '}
              finished{' '}
              <time dateTime={run.finishedAt} title={formatDateTime(run.finishedAt)}>
                {relativeTime(run.finishedAt, now)}
              </time>
            </>
          )}
          {run.durationMs !== null && ` in ${formatDuration(run.durationMs)}`}
          {run.entries !== null && ` · ${formatCount(run.entries)} ${run.entries === 1 ? 'entry' : 'entries'}`}
        </span>
        {hasPlan(run) && (
          <button type="button" className="link" onClick={() => onShowPlan(run)}>
            View plan
          </button>
        )}
      </div>
      {!failed && (
        <p className="run-counts" data-testid="run-counts">
          {countsText(run.counts)}
        </p>
      )}
      {run.error && (
        <ErrorBox error={run.error} lead={run.status === 'failed' ? 'The run failed; nothing was changed.' : undefined} testId="run-error" className="run-error" />
      )}
      {run.status === 'held' && (
        <div className="held-box" data-testid="held-box">
          <p>
            <strong>Nothing was changed.</strong> {run.heldReason ?? 'Held for review: over a deactivation limit.'}
          </p>
          {held && (
            <div className="toolbar">
              <button type="button" onClick={held.onReview}>
                Review plan
              </button>
              <button type="button" className="primary" onClick={held.onApprove} disabled={held.disabled}>
                Apply this plan
              </button>
              <button type="button" className="danger" onClick={held.onDiscard} disabled={held.disabled}>
                Discard
              </button>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
