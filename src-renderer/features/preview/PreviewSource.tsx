import type { EntrySourceRef, SnapshotView } from '../../../src-shared/domain/snapshot';
import { snapshotBaseFit } from '../../../src-shared/domain/snapshot-base';
import { snapshotOptionText } from '../snapshots/snapshot-format';

/** Props of {@link PreviewSource}. */
export interface PreviewSourceProps {
  /** The source the preview reads; null for an offline server with no snapshot attached. */
  source: EntrySourceRef | null;
  /** Offline servers always read their attached snapshot: the picker is fixed. */
  offline: boolean;
  /** The server's attached snapshot, listed first. */
  attachedId: string | null;
  /** The saved snapshots (null while loading). */
  snapshots: SnapshotView[] | null;
  onChange: (source: EntrySourceRef) => void;
  /** The server's search base (from the form's URL): snapshots of another tree cannot be chosen. */
  baseDn?: string;
}

/** The preview's source picker: "Live directory", or "Snapshot: NAME" (the attached one first, or any other). */
export function PreviewSource({ source, offline, attachedId, snapshots, onChange, baseDn = '' }: PreviewSourceProps) {
  const list = snapshots ?? [];
  const attached = list.find((s) => s.id === attachedId);
  const fits = (s: SnapshotView) => snapshotBaseFit(s.baseDn, baseDn) !== 'other';
  // Snapshots of another part of the directory would give no entries: listed, but not offered.
  const others = list.filter((s) => s.id !== attachedId && fits(s));
  const elsewhere = list.filter((s) => s.id !== attachedId && !fits(s) && s.id !== (source?.kind === 'snapshot' ? source.snapshotId : ''));
  const chosen = source?.kind === 'snapshot' ? list.find((s) => s.id === source.snapshotId) : undefined;
  const chosenElsewhere = chosen !== undefined && !fits(chosen);
  const value = source?.kind === 'snapshot' ? source.snapshotId : source ? 'live' : '';
  const label = (s: SnapshotView) => `Snapshot: ${snapshotOptionText(s)}`;
  return (
    <div className="field preview-source">
      <label htmlFor="preview-source" className="field-label">
        Preview source
      </label>
      <select
        id="preview-source"
        value={value}
        disabled={offline}
        aria-describedby="preview-source-help"
        onChange={(e) => onChange(e.target.value === 'live' ? { kind: 'live' } : { kind: 'snapshot', snapshotId: e.target.value })}
      >
        {!offline && <option value="live">Live directory</option>}
        {value === '' && <option value="">(no snapshot attached)</option>}
        {attached && <option value={attached.id}>{`${label(attached)} (attached)`}</option>}
        {source?.kind === 'snapshot' && !list.some((s) => s.id === source.snapshotId) && <option value={source.snapshotId}>{snapshots ? 'Snapshot: (deleted)' : 'Snapshot'}</option>}
        {!offline &&
          others.map((s) => (
            <option key={s.id} value={s.id}>
              {label(s)}
            </option>
          ))}
        {chosen && chosenElsewhere && chosen.id !== attachedId && <option value={chosen.id}>{`${label(chosen)} (another search base)`}</option>}
        {!offline && elsewhere.length > 0 && (
          <optgroup label={`Captured at another search base than ${baseDn}`}>
            {elsewhere.map((s) => (
              <option key={s.id} value={s.id} disabled>
                {`${label(s)}: captured at ${s.baseDn}`}
              </option>
            ))}
          </optgroup>
        )}
      </select>
      {chosenElsewhere && (
        <p className="notice warning-text" role="note" data-testid="preview-source-mismatch">
          This snapshot was captured at {chosen.baseDn}, outside this server’s search base {baseDn} (neither is below the other): it holds none of the entries this server
          would read. Choose another snapshot, or the live directory.
        </p>
      )}
      <p id="preview-source-help" className="field-help">
        {offline
          ? 'An offline server always reads its attached snapshot.'
          : source?.kind === 'snapshot'
            ? 'Reads the snapshot on this computer: no connection; the filter is evaluated locally.'
            : 'Reads the directory now, with the unsaved connection settings.'}
      </p>
    </div>
  );
}
