import { useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { PlanChange } from '../../../src-shared/domain/sync';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { notifyChanged } from '../../ui/data-events';
import { ErrorBox } from '../../ui/ErrorBox';

/** Props of {@link RelinkDialog}. */
export interface RelinkDialogProps {
  /** A plan row of action `reused` (with its userId). */
  change: PlanChange;
  onClose: () => void;
}

/**
 * Asks before relinking the user of a reused username to the entry that now has it: only right
 * when the new entry is the same person (their account re-created in the directory). The next
 * sync then gives the account to that entry (and reactivates it if a sync deactivated it).
 */
export function RelinkDialog({ change, onClose }: RelinkDialogProps) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<boolean | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const relink = async () => {
    if (busy || !change.userId) return;
    setBusy(true);
    try {
      const r = await call('users.relink', { id: change.userId });
      setDone(r.changed);
      notifyChanged('users');
    } catch (e) {
      setError(errorInfoOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog
      title={`Relink ${change.username ?? 'this user'}?`}
      testId="relink-dialog"
      onClose={onClose}
      onConfirm={() => (done === null ? void relink() : onClose())}
      confirmLabel={done === null ? 'Relink' : 'Close'}
      confirmClassName="primary"
      confirmDisabled={busy}
    >
      {done === null ? (
        <>
          <p>
            The username <strong>{change.username}</strong> now comes from a different directory entry (<span className="mono">{change.to}</span>) than the account's (
            <span className="mono">{change.from}</span>).
          </p>
          <p>
            Relink only if it is the same person, whose account was re-created in the directory: the next sync gives the account, its organization, roles and
            devices to the new entry. If it is someone else, cancel and give the new entry another username in the directory.
          </p>
        </>
      ) : (
        <p data-testid="relink-done">{done ? 'Relinked: the next sync gives the account to the entry that has the username then.' : 'Nothing to do: the account has no directory ID any more.'}</p>
      )}
      {error && <ErrorBox error={error} lead="Relink failed:" />}
    </ConfirmDialog>
  );
}
