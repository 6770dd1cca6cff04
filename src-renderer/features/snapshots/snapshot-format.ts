// How snapshots read in lists and pickers.
import type { SnapshotOrigin, SnapshotView } from '../../../src-shared/domain/snapshot';
import { formatCount } from '../../ui/format';

/** "Captured", "LDIF file", "Sample". */
export const ORIGIN_LABELS: Record<SnapshotOrigin, string> = { capture: 'Captured', ldif: 'LDIF file', sample: 'Sample' };

/** "Sample directory (Fjordline Instruments) · 322 entries", for a select option. */
export function snapshotOptionText(s: SnapshotView): string {
  return `${s.name} · ${formatCount(s.entries)} ${s.entries === 1 ? 'entry' : 'entries'}`;
}

/** A file size for people: "812 bytes", "3.4 KB", "60.2 MB" (decimal units, as file managers show them). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${formatCount(n)} ${n === 1 ? 'byte' : 'bytes'}`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
