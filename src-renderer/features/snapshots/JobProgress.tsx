import type { SnapshotProgress } from '../../../src-shared/domain/snapshot';
import { formatCount } from '../../ui/format';

/** Props of {@link JobProgress}. */
export interface JobProgressProps {
  /** "Capturing", "Comparing". */
  label: string;
  progress: SnapshotProgress | null;
  cancelling: boolean;
  onCancel: () => void;
}

/**
 * A snapshot job's progress bar: entries read out of those expected (when known) and pages; indeterminate
 * while nothing is expected. Cancel stops the job; nothing is kept.
 */
export function JobProgress({ label, progress, cancelling, onCancel }: JobProgressProps) {
  const expected = progress?.expected ?? null;
  const entries = progress?.entries ?? 0;
  const ratio = expected !== null && expected > 0 ? Math.min(1, entries / expected) : null;
  const facts: string[] = [];
  if (progress) {
    facts.push(expected !== null ? `${formatCount(entries)} of ~${formatCount(expected)} entries` : `${formatCount(entries)} ${entries === 1 ? 'entry' : 'entries'}`);
    facts.push(`${formatCount(progress.pages)} ${progress.pages === 1 ? 'page' : 'pages'}`);
  }
  return (
    <div className="run-progress" data-testid="job-progress">
      <div className="run-progress-head">
        <span className="run-progress-label">
          <span className="spinner" aria-hidden="true" /> {label}…
        </span>
        <button type="button" onClick={onCancel} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
      <div
        className={ratio === null ? 'progress-bar progress-indeterminate' : 'progress-bar'}
        role="progressbar"
        aria-label={`${label} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={ratio === null ? undefined : Math.round(ratio * 100)}
        aria-valuetext={facts.join(', ') || 'starting'}
      >
        <div className="progress-fill" style={ratio === null ? undefined : { width: `${(ratio * 100).toFixed(1)}%` }} />
      </div>
      <p className="run-progress-facts muted" aria-live="polite">
        {facts.join(' · ') || 'Waiting for the first page…'}
      </p>
    </div>
  );
}
