import type { PreviewResult } from '../../../src-shared/domain/preview';
import { relativeTime } from '../../ui/format';
import { useNow } from '../../ui/use-now';

/** After this long, a preview of the live directory is marked as possibly out of date. */
export const STALE_AFTER_MS = 60_000;

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
  let text = '';
  let stale = false;
  if (!ready) text = 'Waiting for the form';
  else if (updating) text = 'Updating…';
  else if (failed) text = 'Not read: see the error below';
  else if (result) {
    const at = Date.parse(result.readAt);
    const time = new Date(at).toLocaleTimeString();
    if (overSnapshot) text = `Read from the snapshot at ${time}`;
    else {
      stale = now - at > STALE_AFTER_MS;
      text = stale ? `Read from the directory ${relativeTime(result.readAt, now)} (${time}): may be out of date` : `Read from the directory at ${time}`;
    }
  }
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
