import { useCallback, useEffect, useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { UserPage, UserView } from '../../../src-shared/domain/directory';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { notifyChanged } from '../../ui/data-events';
import { ACTIONS_COLUMN, DataTable } from '../../ui/DataTable';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount, formatDateTime, relativeTime } from '../../ui/format';
import { Pager } from '../../ui/Pager';
import { useDebounced } from '../../ui/use-debounced';
import { useNow } from '../../ui/use-now';
import { useResource } from '../../ui/use-resource';
import { useOrgs } from '../orgs/use-orgs';

const PAGE = 50;

function fullName(u: UserView): string {
  return [u.firstName, u.lastName].filter(Boolean).join(' ');
}

function Status({ user, now }: { user: UserView; now: number }) {
  if (user.active) return <span className="ok">Active</span>;
  return (
    <span className="user-status">
      <span className="bad">Deactivated{user.deactivatedBy ? ` by ${user.deactivatedBy}` : ''}</span>
      {user.deactivatedAt && (
        <>
          {' '}
          <time className="muted" dateTime={user.deactivatedAt} title={formatDateTime(user.deactivatedAt)}>
            {relativeTime(user.deactivatedAt, now)}
          </time>
        </>
      )}
      {user.deactivatedReason && !/^deactivated by an? (admin|administrator)\.?$/i.test(user.deactivatedReason.trim()) && (
        <span className="user-reason muted" title={user.deactivatedReason}>
          {user.deactivatedReason}
        </span>
      )}
    </span>
  );
}

function Source({ user }: { user: UserView }) {
  if (!user.sourceServerName && !user.sourceDn) return <span className="muted">Local</span>;
  const tip = [user.sourceDn, user.directoryId ? `Directory ID: ${user.directoryId}` : 'No directory ID', user.lastSeenAt ? `Last seen: ${formatDateTime(user.lastSeenAt)}` : null]
    .filter(Boolean)
    .join('\n');
  return (
    <span className="user-source" title={tip}>
      <span>{user.sourceServerName ?? '(deleted server)'}</span>
      {user.sourceDn && <span className="mono muted user-dn">{user.sourceDn}</span>}
    </span>
  );
}

/**
 * The Users screen: search by username, name or email, filter by organization, 50 a page; each user's
 * organization, roles, status (who deactivated them, when and why), source server and DN, devices;
 * Deactivate / Reactivate after confirmation.
 */
export function UsersScreen({ active }: { active: boolean }) {
  const orgs = useOrgs(active);
  const now = useNow();
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText.trim(), 250);
  const [orgId, setOrgId] = useState<string | null>(null);
  const [offset, setOffset] = useState(0);
  const [confirm, setConfirm] = useState<{ user: UserView; active: boolean } | null>(null);
  const [actionError, setActionError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);

  // A new search or filter starts again at the first page.
  const [lastQuery, setLastQuery] = useState(`${search}|${orgId}`);
  if (lastQuery !== `${search}|${orgId}`) {
    setLastQuery(`${search}|${orgId}`);
    if (offset !== 0) setOffset(0);
  }

  const load = useCallback(() => call('users.list', { query: { search: search || null, orgId, offset, limit: PAGE } }), [search, orgId, offset]);
  const users = useResource<UserPage>(load, JSON.stringify([search, orgId, offset]), { active, topics: ['users', 'runs', 'orgs', 'roles'] });
  const page = users.data;
  // The list shrank under the current page (e.g. after a sync): go back to its last page.
  useEffect(() => {
    if (page && page.rows.length === 0 && page.total > 0 && offset > 0) setOffset(Math.floor((page.total - 1) / PAGE) * PAGE);
  }, [page, offset]);

  const apply = async () => {
    const c = confirm;
    if (!c || busy) return;
    setBusy(true);
    try {
      await call('users.setActive', { id: c.user.id, active: c.active });
      setConfirm(null);
      setActionError(null);
      notifyChanged('users', 'orgs');
    } catch (e) {
      setActionError(errorInfoOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="screen">
      <header className="screen-head">
        <h2>Users</h2>
        <div className="filters">
          <input
            type="search"
            aria-label="Search users"
            placeholder="Search username, name or email"
            autoComplete="off"
            spellCheck={false}
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
          />
          <select aria-label="Organization" className="auto-width" value={orgId ?? ''} onChange={(e) => setOrgId(e.target.value || null)}>
            <option value="">All organizations</option>
            {(orgs.data ?? []).map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
      </header>
      {users.error && <ErrorBox error={users.error} lead="Could not load users:" onRetry={() => void users.reload()} />}
      <div className="panel">
        <div className="panel-head">
          <span className="muted" data-testid="users-total">
            {page ? `${formatCount(page.total)} ${page.total === 1 ? 'user' : 'users'}${search || orgId ? ' match' : ''}` : 'Loading…'}
          </span>
          {page && page.total > PAGE && <Pager offset={offset} limit={PAGE} total={page.total} onOffset={setOffset} noun="users" nounOne="user" />}
        </div>
        {page && page.rows.length === 0 ? (
          <p className="muted" data-testid="users-empty">
            {search || orgId ? 'No user matches.' : 'No users yet. A sync of a server with "Create users" on creates them.'}
          </p>
        ) : (
          <div className="table-wrap">
            <DataTable
              columns={[
                'Username',
                'Name',
                'Email',
                'Organization',
                'Roles',
                'Status',
                'Source',
                { label: 'Devices', num: true, title: 'Active devices / all devices' },
                ACTIONS_COLUMN,
              ]}
              className="users-table"
              busy={users.loading}
            >
              {(page?.rows ?? []).map((u) => (
                <tr key={u.id} data-testid="user-row" data-username={u.username} data-active={u.active} className={u.active ? undefined : 'row-inactive'}>
                  <td className="mono strong">{u.username}</td>
                  <td>{fullName(u) || <span className="muted">—</span>}</td>
                  <td>{u.email ?? <span className="muted">—</span>}</td>
                  <td>{u.orgName}</td>
                  <td>{u.roles.length ? u.roles.join(', ') : <span className="muted">—</span>}</td>
                  <td data-testid="user-status">
                    <Status user={u} now={now} />
                  </td>
                  <td>
                    <Source user={u} />
                  </td>
                  <td className="num">
                    {formatCount(u.activeDevices)} / {formatCount(u.devices)}
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className={u.active ? 'small danger' : 'small'}
                      aria-label={`${u.active ? 'Deactivate' : 'Reactivate'} ${u.username}`}
                      onClick={() => {
                        setActionError(null);
                        setConfirm({ user: u, active: !u.active });
                      }}
                    >
                      {u.active ? 'Deactivate' : 'Reactivate'}
                    </button>
                  </td>
                </tr>
              ))}
            </DataTable>
          </div>
        )}
      </div>

      {confirm && (
        <ConfirmDialog
          title={confirm.active ? `Reactivate ${confirm.user.username}?` : `Deactivate ${confirm.user.username}?`}
          testId="user-active-dialog"
          onClose={() => setConfirm(null)}
          onConfirm={() => void apply()}
          confirmLabel={confirm.active ? 'Reactivate' : 'Deactivate'}
          confirmClassName={confirm.active ? 'primary' : 'danger'}
          confirmDisabled={busy}
        >
          {confirm.active ? (
            <p>
              <strong>{confirm.user.username}</strong> can sign in again, with the devices that were deactivated together with them.
              {confirm.user.deactivatedBy === 'sync' && ' A later sync deactivates them again if the directory still says so.'}
            </p>
          ) : (
            <p>
              <strong>{confirm.user.username}</strong> and their {formatCount(confirm.user.activeDevices)} active{' '}
              {confirm.user.activeDevices === 1 ? 'device' : 'devices'} lose access. A sync does not reactivate a user an admin deactivated; only an admin
              can.
            </p>
          )}
          {actionError && <ErrorBox error={actionError} lead="Not changed:" />}
        </ConfirmDialog>
      )}
    </div>
  );
}
