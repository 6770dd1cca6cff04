import { useId, useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { SnapshotView } from '../../../src-shared/domain/snapshot';
import { Dialog } from '../../ui/Dialog';
import { DialogButtons } from '../../ui/DialogButtons';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount } from '../../ui/format';

/** The largest file the app imports through the window (the contract's limit); larger ones go through the CLI. */
const MAX_BYTES = 64 * 1024 * 1024;

/** Props of {@link ImportLdifDialog}. */
export interface ImportLdifDialogProps {
  onClose: () => void;
  onImported: (snapshot: SnapshotView) => void;
}

/** A file's name without its extension, as the default snapshot name. */
function baseName(fileName: string): string {
  return fileName.replace(/\.[^.]+$/, '') || fileName;
}

/**
 * "Import LDIF": a file picked here (read in the window with File.text()) becomes a snapshot. A malformed
 * file is refused as a whole with the line of its first problem; nothing is imported then.
 */
export function ImportLdifDialog({ onClose, onImported }: ImportLdifDialogProps) {
  const [file, setFile] = useState<{ name: string; size: number; text: string } | null>(null);
  const [name, setName] = useState('');
  const [nameEdited, setNameEdited] = useState(false);
  const [reading, setReading] = useState(false);
  const [importing, setImporting] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const ids = { file: useId(), name: useId(), help: useId() };

  const pick = async (picked: File | undefined) => {
    setError(null);
    setFile(null);
    if (!picked) return;
    if (picked.size > MAX_BYTES) {
      setError({ code: 'INVALID_INPUT', message: `${picked.name} is larger than 64 MB: import it with the command line, ldap-sync snapshot import FILE --name NAME.` });
      return;
    }
    setReading(true);
    try {
      const text = await picked.text();
      setFile({ name: picked.name, size: picked.size, text });
      if (!nameEdited) setName(baseName(picked.name));
    } catch (e) {
      setError({ code: 'INVALID_INPUT', message: `Could not read ${picked.name}: ${errorInfoOf(e).message}` });
    } finally {
      setReading(false);
    }
  };

  const doImport = async () => {
    if (!file || !name.trim() || importing) return;
    setImporting(true);
    setError(null);
    try {
      onImported(await call('snapshots.importLdif', { name: name.trim(), fileName: file.name, text: file.text }));
    } catch (e) {
      const info = errorInfoOf(e);
      // The message already names the file and the line; the per-field copy would repeat it.
      setError({ code: info.code, message: info.message });
    } finally {
      setImporting(false);
    }
  };

  return (
    <Dialog
      title="Import LDIF"
      testId="import-dialog"
      className="dialog-form"
      onClose={() => (importing ? undefined : onClose())}
      actions={
        <DialogButtons
          onCancel={onClose}
          cancelDisabled={importing}
          onConfirm={() => void doImport()}
          confirmLabel={importing ? 'Importing…' : 'Import'}
          confirmDisabled={!file || !name.trim() || importing || reading}
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
        <div className="field">
          <label htmlFor={ids.file} className="field-label">
            LDIF file
          </label>
          <input id={ids.file} type="file" accept=".ldif,.ldf,.txt,text/plain" aria-describedby={ids.help} disabled={importing} onChange={(e) => void pick(e.target.files?.[0])} />
          <p id={ids.help} className="field-help">
            Entries in LDIF (RFC 2849), e.g. from <code>ldapsearch -LLL</code> or another directory tool's export. Change records are refused.
          </p>
          {file && (
            <p className="muted" data-testid="import-file">
              {file.name}, {formatCount(file.size)} bytes
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
            disabled={importing}
            onChange={(e) => {
              setName(e.target.value);
              setNameEdited(true);
            }}
          />
        </div>
      </form>
      {error && <ErrorBox error={error} lead="Not imported:" testId="import-error" />}
    </Dialog>
  );
}
