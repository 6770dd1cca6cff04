import { useId, useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { ChosenLdifFile, SnapshotView } from '../../../src-shared/domain/snapshot';
import { Dialog } from '../../ui/Dialog';
import { DialogButtons } from '../../ui/DialogButtons';
import { ErrorBox } from '../../ui/ErrorBox';
import { JobProgress } from './JobProgress';
import { formatBytes } from './snapshot-format';
import { useSnapshotJob } from './use-snapshot-job';

/** Props of {@link ImportLdifDialog}. */
export interface ImportLdifDialogProps {
  onClose: () => void;
  onImported: (snapshot: SnapshotView) => void;
}

/** A path's last part without its extension, as the default snapshot name. */
function baseName(path: string): string {
  const file = path.split(/[\\/]/).pop() || path;
  return file.replace(/\.[^.]+$/, '') || file;
}

/**
 * "Import LDIF": the file is chosen in main's own dialog (the window gets its path to show and a
 * token), and main reads it as a stream: files of any size, progress and Cancel. A malformed or
 * oversized file is refused as a whole with the line of its first problem; nothing is imported then.
 */
export function ImportLdifDialog({ onClose, onImported }: ImportLdifDialogProps) {
  const [file, setFile] = useState<ChosenLdifFile | null>(null);
  const [name, setName] = useState('');
  const [nameEdited, setNameEdited] = useState(false);
  const [choosing, setChoosing] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const job = useSnapshotJob();
  const importing = job.running !== null;
  const ids = { file: useId(), name: useId(), help: useId() };

  const choose = async () => {
    setError(null);
    setChoosing(true);
    try {
      const chosen = await call('snapshots.chooseLdifFile', {});
      if (!chosen) return;
      setFile(chosen);
      if (!nameEdited) setName(baseName(chosen.path));
    } catch (e) {
      setError(errorInfoOf(e));
    } finally {
      setChoosing(false);
    }
  };

  const doImport = async () => {
    if (!file || !name.trim() || importing) return;
    setError(null);
    const outcome = await job.run((jobId) => call('snapshots.importLdif', { jobId, name: name.trim(), fileToken: file.token }));
    // The message already names the file and the line; the per-field copy would repeat it.
    if (outcome.ok) onImported(outcome.data);
    else setError({ code: outcome.error.code, message: outcome.error.message });
  };

  return (
    <Dialog
      title="Import LDIF"
      testId="import-dialog"
      className="dialog-form"
      onClose={() => (importing ? void job.cancel() : onClose())}
      actions={
        <DialogButtons
          onCancel={onClose}
          cancelLabel="Close"
          cancelDisabled={importing}
          onConfirm={() => void doImport()}
          confirmLabel={importing ? 'Importing…' : 'Import'}
          confirmDisabled={!file || !name.trim() || importing || choosing}
        />
      }
    >
      <form
        className="server-fields"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void doImport();
        }}
      >
        <fieldset disabled={importing} className="server-fields">
          <div className="field">
            <span id={ids.file} className="field-label">
              LDIF file
            </span>
            <div>
              <button type="button" aria-describedby={`${ids.file} ${ids.help}`} disabled={choosing} onClick={() => void choose()}>
                {file ? 'Choose another file…' : 'Choose file…'}
              </button>
            </div>
            <p id={ids.help} className="field-help">
              Entries in LDIF (RFC 2849), e.g. from <code>ldapsearch -LLL</code> or another directory tool's export. Change records are refused, and so are
              values over 16 MiB and DNs over 65,536 characters.
            </p>
            {file && (
              <p className="muted" data-testid="import-file">
                {file.path}
                {file.size !== null && `, ${formatBytes(file.size)}`}
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor={ids.name} className="field-label">
              Name
            </label>
            <input
              id={ids.name}
              type="text"
              autoComplete="off"
              maxLength={200}
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                setNameEdited(true);
              }}
            />
          </div>
        </fieldset>
      </form>
      {job.running && <JobProgress label="Importing" progress={job.running.progress} cancelling={job.running.cancelling} onCancel={() => void job.cancel()} />}
      {error && <ErrorBox error={error} lead={error.code === 'CANCELLED' ? 'Cancelled:' : 'Not imported:'} testId="import-error" />}
    </Dialog>
  );
}
