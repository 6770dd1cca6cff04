import type { ErrorInfo } from '../../../src-shared/errors';
import type { UserView } from '../../../src-shared/domain/directory';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount } from '../../ui/format';

const NAMED = 8;

/**
 * Confirms deactivating or reactivating the chosen users at once: how many change, the first few
 * names, what happens to their devices and what a later sync does. All or nothing in main.
 */
export function BulkActiveDialog({
  users,
  active,
  busy,
  error,
  onClose,
  onConfirm,
}: {
  users: UserView[];
  active: boolean;
  busy: boolean;
  error: ErrorInfo | null;
  onClose: () => void;
  onConfirm: () => void;
}) {
  const changing = users.filter((u) => u.active !== active);
  const already = users.length - changing.length;
  const n = changing.length;
  const noun = `${formatCount(n)} ${n === 1 ? 'user' : 'users'}`;
  const devices = changing.reduce((sum, u) => sum + u.activeDevices, 0);
  const named = changing.slice(0, NAMED).map((u) => u.username);
  return (
    <ConfirmDialog
      title={active ? `Reactivate ${noun}?` : `Deactivate ${noun}?`}
      testId="bulk-active-dialog"
      onClose={onClose}
      onConfirm={onConfirm}
      confirmLabel={active ? `Reactivate ${noun}` : `Deactivate ${noun}`}
      confirmClassName={active ? 'primary' : 'danger'}
      confirmDisabled={busy || n === 0}
    >
      <p className="bulk-names" data-testid="bulk-names">
        {named.map((name, i) => (
          <span key={name}>
            {i > 0 && ', '}
            <strong className="truncate long-name" title={name}>
              {name}
            </strong>
          </span>
        ))}
        {n > NAMED && ` and ${formatCount(n - NAMED)} more`}
      </p>
      {active ? (
        <p>
          They can sign in again, with the devices that were deactivated together with them. A later sync deactivates again those the directory still
          says are inactive.
        </p>
      ) : (
        <p>
          They and their {formatCount(devices)} active {devices === 1 ? 'device' : 'devices'} lose access. A sync does not reactivate a user an admin
          deactivated; only an admin can.
        </p>
      )}
      {already > 0 && (
        <p className="muted">
          {formatCount(already)} of the chosen {already === 1 ? 'user is' : 'users are'} already {active ? 'active' : 'deactivated'} and stay{already === 1 ? 's' : ''}{' '}
          so.
        </p>
      )}
      <p className="muted">All of them change together, or none does.</p>
      {error && <ErrorBox error={error} lead="Nothing changed:" />}
    </ConfirmDialog>
  );
}
