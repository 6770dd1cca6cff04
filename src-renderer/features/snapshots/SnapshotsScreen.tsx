import { useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { SnapshotView } from '../../../src-shared/domain/snapshot';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { notifyChanged } from '../../ui/data-events';
import { ACTIONS_COLUMN, DataTable } from '../../ui/DataTable';
import { downloadText } from '../../ui/download';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount, formatDateTime, relativeTime } from '../../ui/format';
import { useNotice } from '../../ui/use-notice';
import { useNow } from '../../ui/use-now';
import { useServerOptions } from '../servers/use-server-options';
import { CaptureDialog } from './CaptureDialog';
import { CompareDialog } from './CompareDialog';
import { ImportLdifDialog } from './ImportLdifDialog';
import { ORIGIN_LABELS } from './snapshot-format';
import { useSnapshots } from './use-snapshots';

type Open = { kind: 'capture' } | { kind: 'import' } | { kind: 'compare'; snapshot: SnapshotView } | { kind: 'delete'; snapshot: SnapshotView } | null;

/**
 * The Snapshots screen: captured search results and imported LDIF files that previews and simulations
 * can read instead of the live directory (an offline server reads only its snapshot). Capture from a
 * server, Import LDIF, Export LDIF, Compare with live, Delete.
 */
export function SnapshotsScreen({ active }: { active: boolean }) {
  const snapshots = useSnapshots(active);
  const servers = useServerOptions(active);
  const now = useNow();
  const [open, setOpen] = useState<Open>(null);
  const [error, setError] = useState<{ lead: string; error: ErrorInfo } | null>(null);
  const [exporting, setExporting] = useState<string | null>(null);
  // "Captured …" / "Deleted …" clears itself, and at once when another action starts.
  const [notice, setNotice] = useNotice([open?.kind ?? null, exporting]);

  const added = (s: SnapshotView, verb: string) => {
    setOpen(null);
    setError(null);
    setNotice(`${verb} “${s.name}”: ${formatCount(s.entries)} ${s.entries === 1 ? 'entry' : 'entries'}.`);
    notifyChanged('snapshots');
  };

  const exportLdif = async (s: SnapshotView) => {
    setExporting(s.id);
    setError(null);
    try {
      const file = await call('snapshots.exportLdif', { snapshotId: s.id });
      downloadText(file.filename, file.text, 'text/plain');
    } catch (e) {
      setError({ lead: `Could not export “${s.name}”:`, error: errorInfoOf(e) });
    } finally {
      setExporting(null);
    }
  };

  const confirmDelete = async (s: SnapshotView) => {
    setOpen(null);
    setError(null);
    try {
      await call('snapshots.delete', { snapshotId: s.id });
      setNotice(`Deleted “${s.name}”.`);
      notifyChanged('snapshots', 'servers');
    } catch (e) {
      setError({ lead: `“${s.name}” was not deleted:`, error: errorInfoOf(e) });
    }
  };

  const list = snapshots.data ?? [];
  return (
    <div className="screen snapshots-screen">
      <header className="screen-head">
        <h2>Snapshots</h2>
        <div className="toolbar">
          <button type="button" onClick={() => setOpen({ kind: 'capture' })} disabled={!servers.data}>
            Capture from a server…
          </button>
          <button type="button" onClick={() => setOpen({ kind: 'import' })}>
            Import LDIF…
          </button>
        </div>
      </header>
      <p className="muted">
        A snapshot keeps a directory's entries on this computer: captured from a server's search or imported from an LDIF file. Previews and
        simulations can read it instead of the live directory, and an offline server reads only its snapshot. Snapshots are never written back.
      </p>
      {notice && (
        <p className="notice" role="status" data-testid="snapshots-notice">
          {notice}
        </p>
      )}
      {error && <ErrorBox error={error.error} lead={error.lead} testId="snapshots-error" onDismiss={() => setError(null)} />}
      {snapshots.error && <ErrorBox error={snapshots.error} lead="Could not load the snapshots:" onRetry={() => void snapshots.reload()} />}

      <section className="panel" aria-labelledby="snapshots-title">
        <h3 id="snapshots-title">Saved snapshots</h3>
        {!snapshots.data && !snapshots.error && (
          <p className="muted" role="status">
            Loading…
          </p>
        )}
        {snapshots.data && list.length === 0 && (
          <p className="muted" data-testid="snapshots-empty">
            No snapshots yet. Capture one from a server, or import an LDIF file.
          </p>
        )}
        {list.length > 0 && (
          <div className="table-wrap">
            <DataTable
              columns={[
                'Name',
                'Origin',
                { label: 'Entries', num: true },
                'Source server',
                'Base',
                'Filter',
                'Captured',
                'Used by',
                ACTIONS_COLUMN,
              ]}
              className="snapshots-table"
            >
              {list.map((s) => (
                <tr key={s.id} data-testid="snapshot-row" data-name={s.name}>
                  <td className="strong">
                    <span className="truncate long-name" title={s.name}>
                      {s.name}
                    </span>
                  </td>
                  <td>
                    {ORIGIN_LABELS[s.origin]}
                    {s.fileName && s.origin === 'ldif' && <div className="muted mono">{s.fileName}</div>}
                    {s.attributes === 'used' && <div className="muted">mapped and script attributes only</div>}
                  </td>
                  <td className="num" data-testid="snapshot-entries">
                    {formatCount(s.entries)}
                  </td>
                  <td>
                    {s.serverName ? (
                      <span className="truncate long-name" title={s.serverName}>
                        {s.serverName}
                      </span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="mono wrap-anywhere">{s.baseDn ?? <span className="muted">—</span>}</td>
                  <td className="mono wrap-anywhere">{s.filter ?? <span className="muted">—</span>}</td>
                  <td>
                    <time dateTime={s.capturedAt} title={formatDateTime(s.capturedAt)}>
                      {relativeTime(s.capturedAt, now)}
                    </time>
                  </td>
                  <td>{s.usedBy.length ? s.usedBy.join(', ') : <span className="muted">—</span>}</td>
                  <td className="row-actions">
                    <button type="button" className="small" onClick={() => void exportLdif(s)} disabled={exporting === s.id} aria-label={`Export LDIF of ${s.name}`}>
                      {exporting === s.id ? 'Exporting…' : 'Export LDIF'}
                    </button>
                    <button type="button" className="small" onClick={() => setOpen({ kind: 'compare', snapshot: s })} aria-label={`Compare ${s.name} with live`}>
                      Compare with live
                    </button>
                    <button type="button" className="small danger" onClick={() => setOpen({ kind: 'delete', snapshot: s })} aria-label={`Delete ${s.name}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </DataTable>
          </div>
        )}
      </section>

      {open?.kind === 'capture' && <CaptureDialog servers={servers.data ?? []} onClose={() => setOpen(null)} onCaptured={(s) => added(s, 'Captured')} />}
      {open?.kind === 'import' && <ImportLdifDialog onClose={() => setOpen(null)} onImported={(s) => added(s, 'Imported')} />}
      {open?.kind === 'compare' && <CompareDialog snapshot={open.snapshot} servers={servers.data ?? []} onClose={() => setOpen(null)} />}
      {open?.kind === 'delete' && (
        <ConfirmDialog
          title="Delete snapshot?"
          testId="delete-snapshot-dialog"
          onClose={() => setOpen(null)}
          onConfirm={() => void confirmDelete(open.snapshot)}
          confirmLabel="Delete"
        >
          <p>
            Delete <strong>{open.snapshot.name}</strong> and its {formatCount(open.snapshot.entries)} entries from this computer? The directory itself is not
            touched.
          </p>
          {open.snapshot.usedBy.length > 0 && (
            <p className="warning-text">
              Used by {open.snapshot.usedBy.join(', ')}: they lose it as a source. An offline server must have another snapshot attached first.
            </p>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}
