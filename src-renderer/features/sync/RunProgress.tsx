import type { SyncProgress } from '../../../src-shared/domain/sync';
import { formatCount, formatDuration } from '../../ui/format';
import { ProgressBar, readFacts } from '../../ui/ProgressBar';

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
    facts.push(...readFacts(entries, expected, progress.pages));
    if (progress.rate > 0) facts.push(`${formatCount(Math.round(progress.rate))} entries/s`);
    if (progress.etaMs !== null && progress.phase === 'reading') facts.push(`about ${formatDuration(progress.etaMs)} left`);
  }

  return (
    <ProgressBar
      label={label}
      heading={`${label}: ${progress ? PHASE_LABELS[progress.phase] : 'Starting…'}`}
      ratio={ratio}
      facts={facts}
      onCancel={onCancel}
      cancelling={cancelling}
      testId="run-progress"
    />
  );
}
