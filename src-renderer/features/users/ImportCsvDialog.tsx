import { useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import { CSV_COLUMNS, type CsvImportReport } from '../../../src-shared/domain/local-users';
import { Dialog } from '../../ui/Dialog';
import { DialogButtons } from '../../ui/DialogButtons';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount } from '../../ui/format';
import { CsvReport } from './CsvReport';

/** The largest CSV the main process accepts (the contract's limit). */
const MAX_CSV_BYTES = 20 * 1024 * 1024;

/** Props of {@link ImportCsvDialog}. */
export interface ImportCsvDialogProps {
  onClose: () => void;
  /** Called after the users were added, with how many. */
  onImported: (added: number) => void;
}

/**
 * Users from a CSV file: the file is checked first (a dry run: every problem with its row, column and
 * reason, and who would be added); only a file without problems can then be imported, all or nothing.
 */
export function ImportCsvDialog({ onClose, onImported }: ImportCsvDialogProps) {
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [report, setReport] = useState<CsvImportReport | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);

  const check = async (chosen: File | undefined) => {
    setReport(null);
    setError(null);
    setFile(null);
    if (!chosen) return;
    if (chosen.size > MAX_CSV_BYTES) {
      setError({ code: 'INVALID_INPUT', message: `${chosen.name} has ${formatCount(chosen.size)} bytes; a users CSV may have at most 20 MB. Split it into several files.` });
      return;
    }
    setBusy(true);
    try {
      const text = await chosen.text();
      setFile({ name: chosen.name, text });
      setReport(await call('users.importCsv', { text, dryRun: true }));
    } catch (err) {
      setError(errorInfoOf(err));
    } finally {
      setBusy(false);
    }
  };

  const importAll = async () => {
    if (!file || busy) return;
    setBusy(true);
    setError(null);
    try {
      const r = await call('users.importCsv', { text: file.text, dryRun: false });
      // The store may have changed since the check (a user added meanwhile): show what is wrong now.
      if (r.problems.length > 0) setReport(r);
      else onImported(r.added);
    } catch (err) {
      setError(errorInfoOf(err));
    } finally {
      setBusy(false);
    }
  };

  const count = report?.usernames.length ?? 0;
  const ready = report !== null && report.dryRun && report.problems.length === 0 && count > 0;
  return (
    <Dialog
      title="Import users from CSV"
      testId="import-csv-dialog"
      className="dialog-wide"
      onClose={onClose}
      actions={
        <DialogButtons
          onCancel={onClose}
          onConfirm={() => void importAll()}
          confirmLabel={ready ? `Import ${formatCount(count)} ${count === 1 ? 'user' : 'users'}` : 'Import'}
          confirmDisabled={!ready || busy}
        />
      }
    >
      <p>
        The first row names the columns, in any order: <span className="mono">{CSV_COLUMNS.join(', ')}</span> (<span className="mono">username</span> and{' '}
        <span className="mono">org</span> required; several roles separated by <span className="mono">;</span>). Rows for an organization that signs in with LDAP
        are refused: its users come from the directory. Passwords are never read from a file; set them one by one.
      </p>
      <p>The file is checked first and nothing is added until you import; any problem means nothing is added.</p>
      <div className="field">
        <label htmlFor="import-csv-file" className="field-label">
          CSV file
        </label>
        <input
          id="import-csv-file"
          type="file"
          accept=".csv,text/csv"
          disabled={busy}
          onChange={(e) => {
            const chosen = e.target.files?.[0];
            // Emptied, so that choosing the same file again after fixing it checks it again.
            e.target.value = '';
            void check(chosen);
          }}
        />
      </div>
      {busy && !report && <p className="muted">Checking…</p>}
      {error && <ErrorBox error={error} lead="Not checked:" />}
      {report && file && <CsvReport report={report} fileName={file.name} />}
    </Dialog>
  );
}
