import { useId, useState } from 'react';
import { call } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { ServerView } from '../../../src-shared/domain/server';
import type { SnapshotView } from '../../../src-shared/domain/snapshot';
import { Dialog } from '../../ui/Dialog';
import { DialogButtons } from '../../ui/DialogButtons';
import { ErrorBox } from '../../ui/ErrorBox';
import { JobProgress } from './JobProgress';
import { useSnapshotJob } from './use-snapshot-job';

/** Props of {@link CaptureDialog}. */
export interface CaptureDialogProps {
  /** Saved servers; offline ones cannot be captured and are shown disabled. */
  servers: ServerView[];
  onClose: () => void;
  onCaptured: (snapshot: SnapshotView) => void;
}

/**
 * "Capture from a server": runs a saved server's search and keeps the entries as a snapshot, with every
 * attribute or only those mapped and read by the scripts. Progress (entries, pages) and Cancel while it runs.
 */
export function CaptureDialog({ servers, onClose, onCaptured }: CaptureDialogProps) {
  const online = servers.filter((s) => !s.offline);
  const [serverId, setServerId] = useState(online[0]?.id ?? '');
  const [name, setName] = useState('');
  const [attributes, setAttributes] = useState<'all' | 'used'>('all');
  const [error, setError] = useState<ErrorInfo | null>(null);
  const job = useSnapshotJob();
  const ids = { server: useId(), name: useId() };
  const busy = job.running !== null;

  const capture = async () => {
    if (!serverId || busy) return;
    setError(null);
    const trimmed = name.trim();
    const outcome = await job.run((jobId) => call('snapshots.capture', { jobId, serverId, attributes, ...(trimmed ? { name: trimmed } : {}) }));
    if (outcome.ok) onCaptured(outcome.data);
    else setError(outcome.error);
  };

  return (
    <Dialog
      title="Capture from a server"
      testId="capture-dialog"
      className="dialog-form"
      onClose={() => (busy ? void job.cancel() : onClose())}
      actions={
        <DialogButtons
          onCancel={onClose}
          cancelLabel="Close"
          cancelDisabled={busy}
          onConfirm={() => void capture()}
          confirmLabel={busy ? 'Capturing…' : 'Capture'}
          confirmDisabled={busy || !serverId}
        />
      }
    >
      <p className="field-help">Runs the server's saved search once and keeps the entries on this computer, for previews and simulations without a connection.</p>
      <form
        className="server-fields"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void capture();
        }}
      >
        <fieldset disabled={busy} className="server-fields">
          <div className="field">
            <label htmlFor={ids.server} className="field-label">
              Server
            </label>
            <select id={ids.server} value={serverId} onChange={(e) => setServerId(e.target.value)}>
              {online.length === 0 && <option value="">(no server with a connection)</option>}
              {servers.map((s) => (
                <option key={s.id} value={s.id} disabled={s.offline}>
                  {s.name || '(unnamed server)'}
                  {s.offline ? ' (offline)' : ''}
                </option>
              ))}
            </select>
            {online.length === 0 && <p className="field-help">Add and save a server with a connection on the Servers screen first.</p>}
          </div>
          <div className="field">
            <label htmlFor={ids.name} className="field-label">
              Name
            </label>
            <input id={ids.name} type="text" autoComplete="off" maxLength={200} value={name} placeholder="default: the server's name and the time" onChange={(e) => setName(e.target.value)} />
          </div>
          <fieldset className="radio-group">
            <legend className="field-label">Attributes</legend>
            <label className="radio-row">
              <input type="radio" name="capture-attributes" checked={attributes === 'all'} onChange={() => setAttributes('all')} />
              All attributes, with the operational ones used (such as nsAccountLock)
            </label>
            <label className="radio-row">
              <input type="radio" name="capture-attributes" checked={attributes === 'used'} onChange={() => setAttributes('used')} />
              Only those mapped and used by the scripts (smaller)
            </label>
          </fieldset>
        </fieldset>
      </form>
      {job.running && <JobProgress label="Capturing" progress={job.running.progress} cancelling={job.running.cancelling} onCancel={() => void job.cancel()} />}
      {error && <ErrorBox error={error} lead={error.code === 'CANCELLED' ? 'Cancelled:' : 'Capture failed:'} testId="capture-error" />}
    </Dialog>
  );
}
