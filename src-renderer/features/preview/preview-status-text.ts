import type { PreviewResult } from '../../../src-shared/domain/preview';
import { relativeTime } from '../../ui/format';

/** After this long, a preview of the live directory is marked as possibly out of date. */
export const STALE_AFTER_MS = 60_000;

/** What the preview's status says, and whether it marks the data as possibly out of date. */
export interface PreviewStatusText {
  text: string;
  stale: boolean;
}

/**
 * The status of the preview's data: "Read from the directory at 10:42:05", or after a minute
 * "Read from the directory 5 min ago (10:42:05): may be out of date". Never "up to date": only a
 * read says when the data is from. `timeText` formats the read time (the locale's time by default).
 */
export function previewStatusText(
  s: { ready: boolean; updating: boolean; failed: boolean; overSnapshot: boolean; result: Pick<PreviewResult, 'readAt'> | null },
  now: number,
  timeText: (ms: number) => string = (ms) => new Date(ms).toLocaleTimeString(),
): PreviewStatusText {
  if (!s.ready) return { text: 'Waiting for the form', stale: false };
  if (s.updating) return { text: 'Updating…', stale: false };
  if (s.failed) return { text: 'Not read: see the error below', stale: false };
  if (!s.result) return { text: '', stale: false };
  const at = Date.parse(s.result.readAt);
  const time = timeText(at);
  if (s.overSnapshot) return { text: `Read from the snapshot at ${time}`, stale: false };
  if (now - at <= STALE_AFTER_MS) return { text: `Read from the directory at ${time}`, stale: false };
  return { text: `Read from the directory ${relativeTime(s.result.readAt, now)} (${time}): may be out of date`, stale: true };
}
