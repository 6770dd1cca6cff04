import { useCallback } from 'react';
import { call } from '../../api';
import type { UserDetail } from '../../../src-shared/domain/local-users';
import { Dialog } from '../../ui/Dialog';
import { DataTable } from '../../ui/DataTable';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatDateTime } from '../../ui/format';
import { useResource } from '../../ui/use-resource';
import { SetPasswordForm } from './SetPasswordForm';

/**
 * A user's detail page: organization, roles, how they sign in, where they come from (server, DN,
 * directory ID), status, their devices, and their local password (or why it is the directory's).
 */
export function UserDetailDialog({ userId, onClose }: { userId: string; onClose: () => void }) {
  const load = useCallback(() => call('users.detail', { id: userId }), [userId]);
  const detail = useResource<UserDetail>(load, userId, { topics: ['users', 'orgs'] });
  const d = detail.data;
  const u = d?.user;
  return (
    <Dialog
      title={u ? `User ${u.username}` : 'User'}
      testId="user-detail-dialog"
      className="dialog-wide"
      onClose={onClose}
      actions={
        <button type="button" onClick={onClose}>
          Close
        </button>
      }
    >
      {detail.error && <ErrorBox error={detail.error} lead="Could not load the user:" onRetry={() => void detail.reload()} />}
      {!d || !u ? (
        !detail.error && <p className="muted">Loading…</p>
      ) : (
        <>
          <dl className="user-detail" data-testid="user-detail">
            <dt>Username</dt>
            <dd className="mono">{u.username}</dd>
            <dt>Name</dt>
            <dd>{[u.firstName, u.lastName].filter(Boolean).join(' ') || <span className="muted">—</span>}</dd>
            <dt>Email</dt>
            <dd>{u.email ?? <span className="muted">—</span>}</dd>
            <dt>Organization</dt>
            <dd data-testid="user-detail-org">{u.orgName}</dd>
            <dt>Roles</dt>
            <dd>{u.roles.length ? u.roles.join(', ') : <span className="muted">—</span>}</dd>
            <dt>Signs in with</dt>
            <dd data-testid="user-detail-sign-in">
              {d.signIn === 'ldap' ? 'Their directory password (LDAP)' : d.hasLocalPassword ? 'A local password' : 'A local password (none set yet: cannot sign in)'}
            </dd>
            <dt>Source</dt>
            <dd data-testid="user-detail-source">
              {u.sourceServerName || u.sourceDn ? (
                <>
                  {u.sourceServerName ?? '(deleted server)'}
                  {u.sourceDn && <span className="mono user-detail-dn">{u.sourceDn}</span>}
                  {u.directoryId && <span className="mono muted user-detail-dn">{u.directoryId}</span>}
                </>
              ) : (
                'Local (added by hand, from a CSV file or registered with a local key)'
              )}
            </dd>
            <dt>Status</dt>
            <dd data-testid="user-detail-status">
              {u.active ? (
                <span className="ok">Active</span>
              ) : (
                <>
                  <span className="bad">Deactivated{u.deactivatedBy ? ` by ${u.deactivatedBy}` : ''}</span>
                  {u.deactivatedAt && <span className="muted"> {formatDateTime(u.deactivatedAt)}</span>}
                  {u.deactivatedReason && <span className="muted"> — {u.deactivatedReason}</span>}
                </>
              )}
            </dd>
          </dl>
          <h3 className="user-detail-heading">Devices</h3>
          {d.devices.length === 0 ? (
            <p className="muted" data-testid="devices-empty">
              No devices. A sign-in with Register on and a device name adds one.
            </p>
          ) : (
            <div className="table-wrap">
              <DataTable columns={['Device', 'Status', 'Added']} className="devices-table">
                {d.devices.map((dev) => (
                  <tr key={dev.id} data-testid="device-row" data-name={dev.name} data-active={dev.active}>
                    <td>{dev.name}</td>
                    <td>
                      {dev.active ? (
                        <span className="ok">Active</span>
                      ) : (
                        <span className="bad">Deactivated{dev.deactivatedBy === 'user' ? ' with the user' : dev.deactivatedBy === 'admin' ? ' by an admin' : ''}</span>
                      )}
                    </td>
                    <td>{formatDateTime(dev.createdAt)}</td>
                  </tr>
                ))}
              </DataTable>
            </div>
          )}
          <h3 className="user-detail-heading">Password</h3>
          <SetPasswordForm detail={d} onSet={() => void detail.reload()} />
        </>
      )}
    </Dialog>
  );
}
