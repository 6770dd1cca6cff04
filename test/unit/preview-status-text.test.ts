import { describe, expect, it } from 'vitest';
import { previewStatusText, STALE_AFTER_MS } from '../../src-renderer/features/preview/preview-status-text';

const readAt = '2026-12-07T10:42:05.000Z';
const at = Date.parse(readAt);
const base = { ready: true, updating: false, failed: false, overSnapshot: false, result: { readAt } };
const time = () => '10:42:05';

describe('the preview status', () => {
  it('says when the directory was read, never that the preview is up to date', () => {
    expect(previewStatusText(base, at + 5_000, time)).toEqual({ text: 'Read from the directory at 10:42:05', stale: false });
  });

  it('marks a page read more than a minute ago as possibly out of date', () => {
    expect(previewStatusText(base, at + STALE_AFTER_MS + 1, time).stale).toBe(true);
    expect(previewStatusText(base, at + 5 * 60_000, time)).toEqual({ text: 'Read from the directory 5 min ago (10:42:05): may be out of date', stale: true });
  });

  it('does not age a snapshot, and says nothing was read after an error', () => {
    expect(previewStatusText({ ...base, overSnapshot: true }, at + 3_600_000, time)).toEqual({ text: 'Read from the snapshot at 10:42:05', stale: false });
    expect(previewStatusText({ ...base, failed: true }, at, time).text).toBe('Not read: see the error below');
    expect(previewStatusText({ ...base, updating: true }, at, time).text).toBe('Updating…');
  });
});
