import type { PreviewResult } from '../../../src-shared/domain/preview';
import { useNow } from '../../ui/use-now';
import { previewStatusText } from './preview-status-text';

/** Props of {@link PreviewStatus}. */
export interface PreviewStatusProps {
  ready: boolean;
  updating: boolean;
  result: PreviewResult | null;
  failed: boolean;
  /** The preview reads a snapshot (which does not change), not the directory. */
  overSnapshot: boolean;
  onRefresh: () => void;
}

/**
 * What the preview's data is and when it was read: "Read from the directory at 10:42:05", marked
 * "may be out of date" once older than a minute, never "up to date"; with a Refresh button that reads
 * the directory again.
 */
export function PreviewStatus({ ready, updating, result, failed, overSnapshot, onRefresh }: PreviewStatusProps) {
  const now = useNow(15_000);
  const { text, stale } = previewStatusText({ ready, updating, failed, overSnapshot, result }, now);
  return (
    <div className="preview-status-row">
      <span role="status" className={updating ? 'preview-status updating' : stale ? 'preview-status warning-text' : 'preview-status muted'} data-testid="preview-status" data-stale={stale ? 'true' : undefined}>
        {updating && <span className="spinner" aria-hidden="true" />}
        {text}
      </span>
      <button
        type="button"
        className="small"
        disabled={!ready || updating}
        onClick={onRefresh}
        title={overSnapshot ? 'Read the snapshot again' : 'Read the directory again: new, changed and deleted entries show'}
      >
        Refresh
      </button>
    </div>
  );
}
