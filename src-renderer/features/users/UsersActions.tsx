import { useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { OrganizationView } from '../../../src-shared/domain/directory';
import { notifyChanged } from '../../ui/data-events';
import { downloadText } from '../../ui/download';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount } from '../../ui/format';
import { useNotice } from '../../ui/use-notice';
import { AddUserDialog } from './AddUserDialog';
import { ImportCsvDialog } from './ImportCsvDialog';

/** Which of the Users screen's own dialogs is open. */
export type UsersDialog = 'add' | 'import';

/** Props of {@link UsersActions}. */
export interface UsersActionsProps {
  orgs: OrganizationView[];
  dialog: UsersDialog | null;
  onDialog: (dialog: UsersDialog | null) => void;
}

/**
 * The Users screen's actions on the whole list: add a user by hand, import users from a CSV file
 * (checked first), export every user as CSV; with their dialogs and a confirmation that clears itself.
 */
export function UsersActions({ orgs, dialog, onDialog }: UsersActionsProps) {
  const [notice, setNotice] = useNotice([dialog]);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [exporting, setExporting] = useState(false);

  const exportCsv = async () => {
    if (exporting) return;
    setExporting(true);
    setError(null);
    try {
      const file = await call('users.exportCsv', {});
      downloadText(file.filename, file.text, 'text/csv');
      setNotice(`Exported ${formatCount(file.users)} ${file.users === 1 ? 'user' : 'users'} to ${file.filename}.`);
    } catch (err) {
      setError(errorInfoOf(err));
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <button type="button" onClick={() => onDialog('add')}>
        Add user
      </button>
      <button type="button" onClick={() => onDialog('import')}>
        Import CSV
      </button>
      <button type="button" onClick={() => void exportCsv()} disabled={exporting}>
        Export CSV
      </button>
      {notice && (
        <p role="status" className="notice users-notice">
          {notice}
        </p>
      )}
      {error && <ErrorBox error={error} lead="Not exported:" onDismiss={() => setError(null)} className="users-notice" />}
      {dialog === 'add' && (
        <AddUserDialog
          orgs={orgs}
          onClose={() => onDialog(null)}
          onAdded={(user) => {
            onDialog(null);
            setNotice(`Added ${user.username} to ${user.orgName}.`);
            notifyChanged('users', 'orgs');
          }}
        />
      )}
      {dialog === 'import' && (
        <ImportCsvDialog
          onClose={() => onDialog(null)}
          onImported={(added) => {
            onDialog(null);
            setNotice(`Imported ${formatCount(added)} ${added === 1 ? 'user' : 'users'}.`);
            notifyChanged('users', 'orgs');
          }}
        />
      )}
    </>
  );
}
