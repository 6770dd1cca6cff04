import { useCallback, useEffect, useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import { USER_STATUSES, type UserPage, type UserStatusFilter, type UserView } from '../../../src-shared/domain/directory';
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
import { BulkActiveDialog } from './BulkActiveDialog';
import { SortHeader, type UserOrder } from './SortHeader';
import { UsersActions, type UsersDialog } from './UsersActions';
import { UserDetailDialog } from './UserDetailDialog';

const PAGE = 50;

const STATUS_LABELS: Record<UserStatusFilter, string> = { all: 'Any status', active: 'Active', deactivated: 'Deactivated' };

/** A cell's text cut with an ellipsis when long, the whole text on hover. */
function Cut({ text, className }: { text: string; className?: string }) {
  return (
    <span className={className ? `truncate long-name ${className}` : 'truncate long-name'} title={text}>
      {text}
    </span>
  );
}

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
      <span className="truncate long-name">{user.sourceServerName ?? '(deleted server)'}</span>
      {user.sourceDn && <span className="mono muted user-dn">{user.sourceDn}</span>}
    </span>
  );
}

/**
 * The Users screen: search by username, name or email, filter by organization and status, sort by
 * a column, 50 a page; each user's organization, roles, status (who deactivated them, when and why),
 * source server and DN, devices; Deactivate / Reactivate one user, or the users ticked on the page
 * at once, after confirmation.
 */
export function UsersScreen({ active }: { active: boolean }) {
  const orgs = useOrgs(active);
  const now = useNow();
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText.trim(), 250);
  const [orgId, setOrgId] = useState<string | null>(null);
  const [status, setStatus] = useState<UserStatusFilter>('all');
  const [order, setOrder] = useState<UserOrder>({ sort: 'username', descending: false });
  const [offset, setOffset] = useState(0);
  const [confirm, setConfirm] = useState<{ user: UserView; active: boolean } | null>(null);
  const [bulk, setBulk] = useState<{ users: UserView[]; active: boolean } | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [actionError, setActionError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const [detailId, setDetailId] = useState<string | null>(null);
  const [usersDialog, setUsersDialog] = useState<UsersDialog | null>(null);

  // A new search, filter, sort or page starts again with nothing ticked (and at the first page).
  const queryKey = JSON.stringify([search, orgId, status, order]);
  const [lastQuery, setLastQuery] = useState(queryKey);
  if (lastQuery !== queryKey) {
    setLastQuery(queryKey);
    if (offset !== 0) setOffset(0);
    if (selected.size) setSelected(new Set());
  }

  const load = useCallback(
    () => call('users.list', { query: { search: search || null, orgId, offset, limit: PAGE, status, sort: order.sort, descending: order.descending } }),
    [search, orgId, offset, status, order],
  );
  const users = useResource<UserPage>(load, JSON.stringify([queryKey, offset]), { active, topics: ['users', 'runs', 'orgs', 'roles'] });
  const page = users.data;
  const rows = page?.rows ?? [];
  // The list shrank under the current page (e.g. after a sync): go back to its last page.
  useEffect(() => {
    if (page && page.rows.length === 0 && page.total > 0 && offset > 0) setOffset(Math.floor((page.total - 1) / PAGE) * PAGE);
  }, [page, offset]);
  // Ticks only ever name users shown on this page (a reload may drop some).
  const chosen = rows.filter((u) => selected.has(u.id));
  const allTicked = rows.length > 0 && chosen.length === rows.length;
  const filtered = Boolean(search || orgId || status !== 'all');

  const changePage = (o: number) => {
    setOffset(o);
    setSelected(new Set());
  };
  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

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

  const applyBulk = async () => {
    const b = bulk;
    if (!b || busy) return;
    setBusy(true);
    try {
      await call('users.setActiveMany', { ids: b.users.map((u) => u.id), active: b.active });
      setBulk(null);
      setSelected(new Set());
      setActionError(null);
      notifyChanged('users', 'orgs');
    } catch (e) {
      setActionError(errorInfoOf(e));
    } finally {
      setBusy(false);
    }
  };

  const openBulk = (makeActive: boolean) => {
    setActionError(null);
    setBulk({ users: chosen, active: makeActive });
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
          <select aria-label="Organization" className="auto-width org-filter" value={orgId ?? ''} onChange={(e) => setOrgId(e.target.value || null)}>
            <option value="">All organizations</option>
            {(orgs.data ?? []).map((o) => (
              <option key={o.id} value={o.id} title={o.name}>
                {o.name}
              </option>
            ))}
          </select>
          <select aria-label="Status" data-testid="users-status-filter" className="auto-width" value={status} onChange={(e) => setStatus(e.target.value as UserStatusFilter)}>
            {USER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
          <UsersActions orgs={orgs.data ?? []} dialog={usersDialog} onDialog={setUsersDialog} />
        </div>
      </header>
      {users.error && <ErrorBox error={users.error} lead="Could not load users:" onRetry={() => void users.reload()} />}
      <div className="panel">
        <div className="panel-head">
          <span className="muted" data-testid="users-total">
            {page ? `${formatCount(page.total)} ${page.total === 1 ? 'user' : 'users'}${filtered ? ' match' : ''}` : 'Loading…'}
          </span>
          {chosen.length > 0 && (
            <div className="bulk-bar" role="group" aria-label="Ticked users" data-testid="bulk-bar">
              <span data-testid="bulk-count">{formatCount(chosen.length)} ticked</span>
              <button type="button" className="small danger" disabled={!chosen.some((u) => u.active)} onClick={() => openBulk(false)}>
                Deactivate ticked
              </button>
              <button type="button" className="small" disabled={!chosen.some((u) => !u.active)} onClick={() => openBulk(true)}>
                Reactivate ticked
              </button>
              <button type="button" className="small" onClick={() => setSelected(new Set())}>
                Untick all
              </button>
            </div>
          )}
          {page && page.total > PAGE && <Pager offset={offset} limit={PAGE} total={page.total} onOffset={changePage} noun="users" nounOne="user" />}
        </div>
        {page && page.rows.length === 0 ? (
          <p className="muted" data-testid="users-empty">
            {filtered ? 'No user matches.' : 'No users yet. A sync of a server with "Create users" on creates them.'}
          </p>
        ) : (
          <div className="table-wrap">
            <DataTable
              columns={[
                {
                  label: (
                    <input
                      type="checkbox"
                      aria-label="Tick every user on this page"
                      checked={allTicked}
                      ref={(el) => {
                        if (el) el.indeterminate = chosen.length > 0 && !allTicked;
                      }}
                      onChange={() => setSelected(allTicked ? new Set() : new Set(rows.map((u) => u.id)))}
                    />
                  ),
                },
                { label: <SortHeader label="Username" column="username" order={order} onOrder={setOrder} /> },
                { label: <SortHeader label="Name" column="name" order={order} onOrder={setOrder} /> },
                { label: <SortHeader label="Email" column="email" order={order} onOrder={setOrder} /> },
                { label: <SortHeader label="Organization" column="org" order={order} onOrder={setOrder} /> },
                'Roles',
                { label: <SortHeader label="Status" column="status" order={order} onOrder={setOrder} /> },
                { label: <SortHeader label="Source" column="source" order={order} onOrder={setOrder} /> },
                { label: 'Devices', num: true, title: 'Active devices / all devices' },
                ACTIONS_COLUMN,
              ]}
              className="users-table"
              busy={users.loading}
            >
              {rows.map((u) => (
                <tr
                  key={u.id}
                  data-testid="user-row"
                  data-username={u.username}
                  data-active={u.active}
                  className={[u.active ? '' : 'row-inactive', selected.has(u.id) ? 'row-selected' : ''].filter(Boolean).join(' ') || undefined}
                >
                  <td className="tick-cell">
                    <input type="checkbox" aria-label={`Tick ${u.username}`} checked={selected.has(u.id)} onChange={() => toggle(u.id)} />
                  </td>
                  <td className="mono strong">
                    <Cut text={u.username} />
                  </td>
                  <td>{fullName(u) ? <Cut text={fullName(u)} /> : <span className="muted">—</span>}</td>
                  <td>{u.email ? <Cut text={u.email} /> : <span className="muted">—</span>}</td>
                  <td>
                    <Cut text={u.orgName} />
                  </td>
                  <td>{u.roles.length ? <Cut text={u.roles.join(', ')} /> : <span className="muted">—</span>}</td>
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
                    <button type="button" className="small" aria-label={`Details of ${u.username}`} onClick={() => setDetailId(u.id)}>
                      Details
                    </button>
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

      {detailId && <UserDetailDialog userId={detailId} onClose={() => setDetailId(null)} />}
      {bulk && <BulkActiveDialog users={bulk.users} active={bulk.active} busy={busy} error={actionError} onClose={() => setBulk(null)} onConfirm={() => void applyBulk()} />}
      {confirm && (
        <ConfirmDialog
          title={confirm.active ? 'Reactivate this user?' : 'Deactivate this user?'}
          testId="user-active-dialog"
          onClose={() => setConfirm(null)}
          onConfirm={() => void apply()}
          confirmLabel={confirm.active ? 'Reactivate' : 'Deactivate'}
          confirmClassName={confirm.active ? 'primary' : 'danger'}
          confirmDisabled={busy}
        >
          {confirm.active ? (
            <p>
              <strong className="truncate long-name" title={confirm.user.username}>{confirm.user.username}</strong> can sign in again, with the devices that were deactivated together with them.
              {confirm.user.deactivatedBy === 'sync' && ' A later sync deactivates them again if the directory still says so.'}
            </p>
          ) : (
            <p>
              <strong className="truncate long-name" title={confirm.user.username}>{confirm.user.username}</strong> and their {formatCount(confirm.user.activeDevices)} active{' '}
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
