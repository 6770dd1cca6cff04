import { useRef, useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { OrganizationView } from '../../../src-shared/domain/directory';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { copyText } from '../../ui/copy-text';
import { notifyChanged } from '../../ui/data-events';
import { AnnouncedScriptNameWarning, announceNameChange } from '../preview/ScriptNameWarning';
import { ACTIONS_COLUMN, DataTable } from '../../ui/DataTable';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount } from '../../ui/format';
import { useServerOptions } from '../servers/use-server-options';
import { OrgDialog } from './OrgDialog';
import { RotateKeyDialog } from './RotateKeyDialog';
import { authText, useOrgs } from './use-orgs';
import { orgTree } from './org-tree';
import { useNotice } from '../../ui/use-notice';

/** A registration key in monospace with a Copy button. */
function RegistrationKey({ value }: { value: string }) {
  const ref = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <span className="reg-key">
      <code ref={ref} data-testid="org-key">
        {value}
      </code>
      <button
        type="button"
        className="small"
        aria-label={`Copy registration key ${value}`}
        onClick={() => {
          void copyText(value, ref.current).then((ok) => {
            setCopied(ok);
            window.setTimeout(() => setCopied(null), 2000);
          });
        }}
      >
        {copied === true ? 'Copied' : copied === false ? 'Select and Ctrl+C' : 'Copy'}
      </button>
    </span>
  );
}

type Editing = { kind: 'new' } | { kind: 'edit'; org: OrganizationView };

/**
 * The Organizations screen: the organizations as a tree (sub-organizations under their parent, each
 * branch can be collapsed), where users live, how they sign in, their registration keys; create,
 * edit, delete. A search keeps the matches and their parents.
 */
export function OrgsScreen({ active }: { active: boolean }) {
  const orgs = useOrgs(active);
  const servers = useServerOptions(active);
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<OrganizationView | null>(null);
  const [deleteError, setDeleteError] = useState<ErrorInfo | null>(null);
  const [rotating, setRotating] = useState<OrganizationView | null>(null);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  // A confirmation clears itself after a few seconds, and at once when the admin moves on (a new
  // dialog, a search): it no longer applies.
  const [notice, setNotice] = useNotice([editing !== null, deleting !== null, rotating !== null, search]);

  const list = orgs.data ?? [];
  const needle = search.trim().toLowerCase();
  const rows = orgTree(list, collapsed, needle ? (o) => o.name.toLowerCase().includes(needle) || authText(o).toLowerCase().includes(needle) : undefined);
  const matched = rows.filter((r) => !r.contextOnly).length;
  const toggle = (id: string) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const confirmDelete = async () => {
    const target = deleting;
    if (!target) return;
    try {
      await call('orgs.delete', { id: target.id });
      setDeleting(null);
      setNotice(`Deleted ${target.name}.`);
      notifyChanged('orgs');
      announceNameChange({ kind: 'org', oldName: target.name, newName: null });
    } catch (e) {
      // Main refuses an organization with users or sub-organizations: say why, in the dialog.
      setDeleteError(errorInfoOf(e));
    }
  };

  return (
    <div className="screen">
      <header className="screen-head">
        <h2>Organizations</h2>
        <div className="filters">
          <input type="search" aria-label="Search organizations" placeholder="Search name or authentication" value={search} onChange={(e) => setSearch(e.target.value)} />
          <button type="button" className="primary" onClick={() => setEditing({ kind: 'new' })}>
            New organization
          </button>
        </div>
      </header>
      {orgs.error && <ErrorBox error={orgs.error} lead="Could not load organizations:" onRetry={() => void orgs.reload()} />}
      <AnnouncedScriptNameWarning kind="org" />
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {orgs.data && list.length === 0 ? (
        <div className="panel empty-state">
          <p>No organizations yet. Users live in organizations; each signs in locally or with one LDAP server.</p>
          <button type="button" className="primary" onClick={() => setEditing({ kind: 'new' })}>
            Create an organization
          </button>
        </div>
      ) : (
        <div className="panel table-wrap">
          <DataTable
            columns={[
              'Name',
              'Authentication',
              { label: 'Users (active / total)', num: true, title: 'Active users / all users' },
              'Registration key',
              ACTIONS_COLUMN,
            ]}
            busy={orgs.loading}
          >
            {rows.map(({ org: o, depth, hasChildren, contextOnly }) => (
              <tr key={o.id} data-testid="org-row" data-name={o.name} data-depth={depth} className={contextOnly ? 'row-context' : undefined}>
                <td className="org-name-cell">
                  <span className="org-tree-name" style={{ paddingInlineStart: `${depth * 1.25}em` }}>
                    {hasChildren && !needle ? (
                      <button
                        type="button"
                        className="tree-toggle"
                        aria-expanded={!collapsed.has(o.id)}
                        aria-label={`${collapsed.has(o.id) ? 'Show' : 'Hide'} the sub-organizations of ${o.name}`}
                        onClick={() => toggle(o.id)}
                      >
                        {collapsed.has(o.id) ? '▸' : '▾'}
                      </button>
                    ) : (
                      <span className="tree-toggle-space" aria-hidden="true" />
                    )}
                    <span className="strong truncate long-name" title={o.parentName ? `${o.name} (in ${o.parentName})` : o.name}>
                      {o.name}
                    </span>
                  </span>
                </td>
                <td data-testid="org-auth">
                  <span className="truncate long-name" title={authText(o)}>
                    {authText(o)}
                  </span>
                </td>
                <td className="num" data-testid="org-users">
                  {formatCount(o.activeUsers)} / {formatCount(o.users)}
                </td>
                <td>
                  <RegistrationKey value={o.registrationKey} />
                </td>
                <td className="row-actions">
                  <button type="button" className="small" aria-label={`Edit ${o.name}`} onClick={() => setEditing({ kind: 'edit', org: o })}>
                    Edit
                  </button>
                  <button type="button" className="small" aria-label={`Rotate the registration key of ${o.name}`} onClick={() => setRotating(o)}>
                    Rotate key
                  </button>
                  <button
                    type="button"
                    className="small danger"
                    aria-label={`Delete ${o.name}`}
                    disabled={o.users > 0}
                    title={o.users > 0 ? 'Only an organization without users can be deleted: move or remove its users first.' : undefined}
                    onClick={() => {
                      setDeleteError(null);
                      setDeleting(o);
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
            {matched === 0 && list.length > 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No organization matches “{search.trim()}”.
                </td>
              </tr>
            )}
          </DataTable>
        </div>
      )}

      {editing && (
        <OrgDialog
          org={editing.kind === 'edit' ? editing.org : null}
          orgs={list}
          servers={servers.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={(org) => {
            setEditing(null);
            setNotice(editing.kind === 'new' ? `Created ${org.name}.` : `Saved ${org.name}.`);
            notifyChanged('orgs');
            if (editing.kind === 'edit') announceNameChange({ kind: 'org', oldName: editing.org.name, newName: org.name });
          }}
        />
      )}
      {rotating && (
        <RotateKeyDialog
          org={rotating}
          onClose={() => setRotating(null)}
          onRotated={(org) => {
            setRotating(null);
            setNotice(`${org.name} has a new registration key; the old one no longer works.`);
            notifyChanged('orgs');
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete organization?"
          testId="delete-org-dialog"
          onClose={() => setDeleting(null)}
          onConfirm={() => void confirmDelete()}
          confirmLabel="Delete"
        >
          <p>
            Delete <strong>{deleting.name}</strong>? Its registration key stops working. This cannot be undone.
          </p>
          {deleteError && <ErrorBox error={deleteError} lead="Not deleted:" />}
        </ConfirmDialog>
      )}
    </div>
  );
}
