import type { SnapshotProgress } from '../../../src-shared/domain/snapshot';
import { ProgressBar, readFacts } from '../../ui/ProgressBar';

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
  const facts = progress ? readFacts(entries, expected, progress.pages) : [];
  return (
    <ProgressBar label={label} heading={`${label}…`} ratio={ratio} facts={facts} onCancel={onCancel} cancelling={cancelling} testId="job-progress" />
  );
}
