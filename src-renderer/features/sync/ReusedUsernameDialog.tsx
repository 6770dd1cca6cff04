import { useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { PlanChange } from '../../../src-shared/domain/sync';
import { Dialog } from '../../ui/Dialog';
import { notifyChanged } from '../../ui/data-events';
import { ErrorBox } from '../../ui/ErrorBox';

/** Props of {@link ReusedUsernameDialog}. */
export interface ReusedUsernameDialogProps {
  /** A plan row of action `reused` (with its userId). */
  change: PlanChange;
  onClose: () => void;
}

/**
 * What the admin decides about a reused username (a different directory entry now has the
 * account's username): the same person, re-created in the directory (Relink: the next sync gives
 * them the account), or someone else (Release the name: the deactivated account is renamed, and
 * the next sync creates a user for the new entry). Cancel leaves the account as it is.
 */
export function ReusedUsernameDialog({ change, onClose }: ReusedUsernameDialogProps) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const act = async (what: 'relink' | 'release') => {
    if (busy || !change.userId) return;
    setBusy(true);
    setError(null);
    try {
      if (what === 'relink') {
        const r = await call('users.relink', { id: change.userId });
        setDone(r.changed ? 'Relinked: the next sync gives the account to the entry that has the username then.' : 'Nothing to do: the account has no directory ID any more.');
      } else {
        const r = await call('users.release', { id: change.userId });
        setDone(`Released: the old account is now ${r.username}; the next sync creates a user for the new entry.`);
      }
      notifyChanged('users');
    } catch (e) {
      setError(errorInfoOf(e));
    } finally {
      setBusy(false);
    }
  };
  const actions =
    done === null ? (
      <>
        <button type="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" onClick={() => void act('release')} disabled={busy}>
          Someone else: release the name
        </button>
        <button type="button" className="primary" onClick={() => void act('relink')} disabled={busy}>
          Same person: relink
        </button>
      </>
    ) : (
      <button type="button" className="primary" onClick={onClose}>
        Close
      </button>
    );
  return (
    <Dialog title={`Reused username ${change.username ?? ''}`} testId="reused-username-dialog" onClose={onClose} actions={actions}>
      {done === null ? (
        <>
          <p>
            The username <strong>{change.username}</strong> now comes from a different directory entry (<span className="mono">{change.to}</span>) than the account's (
            <span className="mono">{change.from}</span>). The sync did not give the account to the new entry.
          </p>
          <ul>
            <li>
              <strong>Same person</strong> (their account was re-created in the directory): relink, and the next sync gives them the account, with its organization,
              roles and devices.
            </li>
            <li>
              <strong>Someone else</strong>: release the name. The old account stays deactivated under a new name, and the next sync creates a user for the new entry
              (only once the old account is deactivated).
            </li>
          </ul>
        </>
      ) : (
        <p data-testid="reused-done">{done}</p>
      )}
      {error && <ErrorBox error={error} lead="Failed:" />}
    </Dialog>
  );
}
