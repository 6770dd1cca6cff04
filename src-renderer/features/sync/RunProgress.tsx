import type { SyncProgress } from '../../../src-shared/domain/sync';
import { formatCount, formatDuration } from '../../ui/format';

const PHASE_LABELS: Record<SyncProgress['phase'], string> = {
  connecting: 'Connecting to the directory…',
  reading: 'Reading the directory…',
  planning: 'Planning the changes…',
  applying: 'Applying the changes…',
  done: 'Finishing…',
};

/** Props of {@link RunProgress}. */
export interface RunProgressProps {
  /** "Simulating", "Synchronizing", "Applying the held plan". */
  label: string;
  progress: SyncProgress | null;
  /** Null when this process cannot cancel the run (e.g. the command line runs it). */
  onCancel: (() => void) | null;
  cancelling: boolean;
}

/**
 * A run's progress bar: entries read out of those expected (the previous run's count), pages, rate and
 * time left; indeterminate while nothing is expected yet. Cancel stops the run; nothing is changed.
 */
export function RunProgress({ label, progress, onCancel, cancelling }: RunProgressProps) {
  const expected = progress?.expected ?? null;
  const entries = progress?.entries ?? 0;
  const determinate = expected !== null && expected > 0 && progress?.phase === 'reading';
  const done = progress && (progress.phase === 'planning' || progress.phase === 'applying' || progress.phase === 'done');
  const ratio = done ? 1 : determinate ? Math.min(1, entries / expected) : null;

  const facts: string[] = [];
  if (progress) {
    facts.push(expected !== null ? `${formatCount(entries)} of ~${formatCount(expected)} entries` : `${formatCount(entries)} ${entries === 1 ? 'entry' : 'entries'}`);
    facts.push(`${formatCount(progress.pages)} ${progress.pages === 1 ? 'page' : 'pages'}`);
    if (progress.rate > 0) facts.push(`${formatCount(Math.round(progress.rate))} entries/s`);
    if (progress.etaMs !== null && progress.phase === 'reading') facts.push(`about ${formatDuration(progress.etaMs)} left`);
  }

  return (
    <div className="run-progress" data-testid="run-progress">
      <div className="run-progress-head">
        <span className="run-progress-label">
          <span className="spinner" aria-hidden="true" /> {label}: {progress ? PHASE_LABELS[progress.phase] : 'Starting…'}
        </span>
        {onCancel && (
          <button type="button" onClick={onCancel} disabled={cancelling}>
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
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
