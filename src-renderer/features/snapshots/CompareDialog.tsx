import { useId, useState } from 'react';
import { call } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { ServerView } from '../../../src-shared/domain/server';
import type { SnapshotComparison, SnapshotDifference, SnapshotView } from '../../../src-shared/domain/snapshot';
import { DataTable } from '../../ui/DataTable';
import { Dialog } from '../../ui/Dialog';
import { DialogButtons } from '../../ui/DialogButtons';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount } from '../../ui/format';
import { JobProgress } from './JobProgress';
import { useSnapshotJob } from './use-snapshot-job';

/** Props of {@link CompareDialog}. */
export interface CompareDialogProps {
  snapshot: SnapshotView;
  servers: ServerView[];
  onClose: () => void;
}

const KIND_LABELS = { added: 'Added', removed: 'Removed', changed: 'Changed', renamed: 'Renamed' } as const;
const KIND_TONE = { added: 'info', removed: 'bad', changed: 'neutral', renamed: 'neutral' } as const;

/** A changed attribute's old and new values: removed values struck through, then the new ones. */
function ValueChanges({ d }: { d: SnapshotDifference }) {
  if (!d.attributes.length) return <span className="muted">—</span>;
  if (!d.values) return <>{d.attributes.join(', ')}</>;
  const rest = d.attributes.length - d.values.length;
  return (
    <ul className="value-changes">
      {d.values.map((v) => (
        <li key={v.attribute} data-testid="value-change" data-attribute={v.attribute}>
          <span className="value-attr">{v.attribute}</span>{' '}
          <span className="value-old" title={v.before.length ? `In the snapshot: ${v.before.join(' | ')}` : 'Not in the snapshot'}>
            {v.before.length ? v.before.join(', ') : <em className="muted">none</em>}
          </span>
          <span className="muted" aria-label="changed to">
            {' → '}
          </span>
          <span className="value-new" title={v.after.length ? `Live: ${v.after.join(' | ')}` : 'Not in the live directory'}>
            {v.after.length ? v.after.join(', ') : <em className="muted">none</em>}
          </span>
          {v.more > 0 && <span className="muted"> (and {formatCount(v.more)} more)</span>}
        </li>
      ))}
      {rest > 0 && <li className="muted">and {formatCount(rest)} more changed attributes</li>}
    </ul>
  );
}

/**
 * "Compare with live": reads the live directory of the snapshot's server (or another one) and counts the
 * entries added, removed, changed and renamed (matched by directory ID) since the snapshot, with the
 * first differences and, for each changed attribute, its old → new values. Progress and Cancel while it reads.
 */
export function CompareDialog({ snapshot, servers, onClose }: CompareDialogProps) {
  const online = servers.filter((s) => !s.offline);
  const own = online.find((s) => s.id === snapshot.serverId);
  const [serverId, setServerId] = useState(own?.id ?? online[0]?.id ?? '');
  const [result, setResult] = useState<{ serverName: string; comparison: SnapshotComparison } | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const job = useSnapshotJob();
  const selectId = useId();
  const busy = job.running !== null;

  const compare = async () => {
    if (!serverId || busy) return;
    setError(null);
    setResult(null);
    const serverName = servers.find((s) => s.id === serverId)?.name ?? '';
    const outcome = await job.run((jobId) => call('snapshots.compare', { jobId, snapshotId: snapshot.id, serverId }));
    if (outcome.ok) setResult({ serverName, comparison: outcome.data });
    else setError(outcome.error);
  };

  const c = result?.comparison;
  const shown = c?.differences ?? [];
  const total = c ? c.added + c.removed + c.changed + (c.renamed ?? 0) : 0;

  return (
    <Dialog
      title={`Compare “${snapshot.name}” with live`}
      testId="compare-dialog"
      className="dialog-wide"
      onClose={() => (busy ? void job.cancel() : onClose())}
      actions={
        <DialogButtons
          onCancel={onClose}
          cancelLabel="Close"
          cancelDisabled={busy}
          onConfirm={() => void compare()}
          confirmLabel={busy ? 'Comparing…' : result ? 'Compare again' : 'Compare'}
          confirmDisabled={busy || !serverId}
        />
      }
    >
      <div className="field">
        <label htmlFor={selectId} className="field-label">
          Live directory of
        </label>
        <select id={selectId} className="auto-width" value={serverId} disabled={busy} onChange={(e) => setServerId(e.target.value)}>
          {online.length === 0 && <option value="">(no server with a connection)</option>}
          {online.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name || '(unnamed server)'}
              {s.id === snapshot.serverId ? ' (captured from)' : ''}
            </option>
          ))}
        </select>
        <p className="field-help">
          {online.length === 0
            ? 'Every saved server is offline: there is no live directory to compare with.'
            : "The server's saved search is run now; entries are matched by directory ID (by DN where there is none), so a renamed or moved entry shows as renamed, and compared attribute by attribute."}
        </p>
      </div>
      {job.running && <JobProgress label="Comparing" progress={job.running.progress} cancelling={job.running.cancelling} onCancel={() => void job.cancel()} />}
      {error && <ErrorBox error={error} lead={error.code === 'CANCELLED' ? 'Cancelled:' : 'Compare failed:'} testId="compare-error" />}
      {c && (
        <div className="compare-result" data-testid="compare-result">
          <p className="run-counts" data-testid="compare-counts">
            {formatCount(c.added)} added · {formatCount(c.removed)} removed · {formatCount(c.changed)} changed · {formatCount(c.renamed ?? 0)} renamed ·{' '}
            {formatCount(c.unchanged)} unchanged
            <span className="muted">
              {' '}
              (live directory of {result.serverName}; matched by {c.matchedBy ?? 'DN'})
            </span>
          </p>
          {total === 0 ? (
            <p className="muted">No differences: the live directory still holds exactly the snapshot's entries.</p>
          ) : (
            <>
              {total > shown.length && (
                <p className="muted">
                  The first {formatCount(shown.length)} of {formatCount(total)} differences:
                </p>
              )}
              <div className="table-wrap compare-table-wrap">
                <DataTable columns={['Change', 'DN', 'Changed values (snapshot → live)']}>
                  {shown.map((d) => (
                    <tr key={`${d.kind}:${d.dn}`} data-testid="compare-row" data-kind={d.kind}>
                      <td>
                        <span className={`badge badge-${KIND_TONE[d.kind]}`}>{KIND_LABELS[d.kind]}</span>
                      </td>
                      <td className="mono wrap-anywhere">
                        {d.fromDn !== undefined ? (
                          <>
                            <span className="plan-from">{d.fromDn}</span>
                            <span className="muted"> → </span>
                            <span className="plan-to">{d.dn}</span>
                          </>
                        ) : (
                          d.dn
                        )}
                      </td>
                      <td className="mono">
                        <ValueChanges d={d} />
                      </td>
                    </tr>
                  ))}
                </DataTable>
              </div>
            </>
          )}
        </div>
      )}
    </Dialog>
  );
}
