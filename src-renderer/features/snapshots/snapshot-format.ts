// How snapshots read in lists and pickers.
import type { SnapshotOrigin, SnapshotView } from '../../../src-shared/domain/snapshot';
import { formatCount } from '../../ui/format';

/** "Captured", "LDIF file", "Sample". */
export const ORIGIN_LABELS: Record<SnapshotOrigin, string> = { capture: 'Captured', ldif: 'LDIF file', sample: 'Sample' };

/** "Sample directory (Fjordline Instruments) · 322 entries", for a select option. */
export function snapshotOptionText(s: SnapshotView): string {
  return `${s.name} · ${formatCount(s.entries)} ${s.entries === 1 ? 'entry' : 'entries'}`;
}
