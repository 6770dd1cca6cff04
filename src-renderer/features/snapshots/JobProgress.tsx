import type { SnapshotProgress } from '../../../src-shared/domain/snapshot';
import { ProgressBar, readFacts } from '../../ui/ProgressBar';
import { formatBytes } from './snapshot-format';

/** Props of {@link JobProgress}. */
export interface JobProgressProps {
  /** "Capturing", "Comparing", "Importing". */
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
  const bytes = progress?.bytes;
  // An import knows the file's size: its bar follows the bytes read.
  const ratio =
    bytes && bytes.total !== null && bytes.total > 0 ? Math.min(1, bytes.read / bytes.total) : expected !== null && expected > 0 ? Math.min(1, entries / expected) : null;
  // An import's "pages" are its write batches: the bytes say more.
  const facts = progress ? readFacts(entries, expected, progress.pages).slice(0, bytes ? 1 : 2) : [];
  if (bytes) facts.push(bytes.total !== null ? `${formatBytes(bytes.read)} of ${formatBytes(bytes.total)}` : `${formatBytes(bytes.read)} read`);
  return (
    <ProgressBar label={label} heading={`${label}…`} ratio={ratio} facts={facts} onCancel={onCancel} cancelling={cancelling} testId="job-progress" />
  );
}
