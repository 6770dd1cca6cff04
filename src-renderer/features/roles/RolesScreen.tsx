import { useState, type FormEvent } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { RoleView } from '../../../src-shared/domain/directory';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { notifyChanged } from '../../ui/data-events';
import { AnnouncedScriptNameWarning, announceNameChange } from '../preview/ScriptNameWarning';
import { ACTIONS_COLUMN, DataTable } from '../../ui/DataTable';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount, formatDateTime } from '../../ui/format';
import { useResource } from '../../ui/use-resource';

const loadRoles = () => call('roles.list', {});

function nameIssue(error: ErrorInfo): string {
  return error.fields?.find((f) => f.path.endsWith('name'))?.message ?? error.message;
}

/** One role's row: its name (renamed in place: Enter saves, Esc cancels), user count and Delete. */
function RoleRow({ role, onDelete }: { role: RoleView; onDelete: () => void }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(role.name);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    if (saving) return;
    if (name.trim() === role.name) {
      setEditing(false);
      return;
    }
    setSaving(true);
    try {
      await call('roles.rename', { id: role.id, role: { name: name.trim() } });
      setEditing(false);
      setError(null);
      notifyChanged('roles', 'users');
      announceNameChange({ kind: 'role', oldName: role.name, newName: name.trim() });
    } catch (err) {
      setError(nameIssue(errorInfoOf(err)));
    } finally {
      setSaving(false);
    }
  };

  return (
    <tr data-testid="role-row" data-name={role.name}>
      <td>
        {editing ? (
          <form className="inline-form" onSubmit={(e) => void save(e)} noValidate>
            <input
              type="text"
              aria-label={`New name for ${role.name}`}
              aria-invalid={error ? true : undefined}
              autoFocus
              value={name}
              disabled={saving}
              onChange={(e) => {
                setName(e.target.value);
                setError(null);
              }}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.preventDefault();
                  setEditing(false);
                  setName(role.name);
                  setError(null);
                }
              }}
            />
            <button type="submit" className="small primary" disabled={saving}>
              Save
            </button>
            <button
              type="button"
              className="small"
              onClick={() => {
                setEditing(false);
                setName(role.name);
                setError(null);
              }}
            >
              Cancel
            </button>
            {error && <p className="field-error">{error}</p>}
          </form>
        ) : (
          <span className="role-name">
            <span className="strong truncate long-name" title={role.name}>
              {role.name}
            </span>
            {role.builtIn && (
              <span className="badge" data-testid="role-built-in" title="The app gives this role by name: it cannot be renamed or deleted. Add a new role for another name.">
                Built-in
              </span>
            )}
          </span>
        )}
      </td>
      <td className="num" data-testid="role-users">
        {formatCount(role.users)}
      </td>
      <td className="muted">{formatDateTime(role.createdAt)}</td>
      <td className="row-actions">
        {role.builtIn ? (
          <span className="muted small-note">Cannot be renamed or deleted</span>
        ) : (
          <>
            {!editing && (
              <button
                type="button"
                className="small"
                aria-label={`Rename ${role.name}`}
                onClick={() => {
                  setName(role.name);
                  setEditing(true);
                }}
              >
                Rename
              </button>
            )}
            <button
              type="button"
              className="small danger"
              aria-label={`Delete ${role.name}`}
              disabled={role.users > 0}
              title={role.users > 0 ? 'Only a role no user has can be deleted.' : undefined}
              onClick={onDelete}
            >
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

/** The Roles screen: every role with how many users have it; create, rename in place, delete an unused one. */
export function RolesScreen({ active }: { active: boolean }) {
  const roles = useResource<RoleView[]>(loadRoles, 'roles', { active, topics: ['roles', 'users', 'runs'] });
  const [newName, setNewName] = useState('');
  const [createError, setCreateError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<RoleView | null>(null);
  const [deleteError, setDeleteError] = useState<ErrorInfo | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (creating) return;
    if (!newName.trim()) {
      setCreateError('Enter a name.');
      return;
    }
    setCreating(true);
    try {
      await call('roles.create', { role: { name: newName.trim() } });
      setNewName('');
      setCreateError(null);
      notifyChanged('roles');
    } catch (err) {
      setCreateError(nameIssue(errorInfoOf(err)));
    } finally {
      setCreating(false);
    }
  };

  const confirmDelete = async () => {
    const target = deleting;
    if (!target) return;
    try {
      await call('roles.delete', { id: target.id });
      setDeleting(null);
      notifyChanged('roles');
      announceNameChange({ kind: 'role', oldName: target.name, newName: null });
    } catch (e) {
      setDeleteError(errorInfoOf(e));
    }
  };

  const list = roles.data ?? [];
  return (
    <div className="screen">
      <header className="screen-head">
        <h2>Roles</h2>
        <form className="filters" onSubmit={(e) => void create(e)} noValidate>
          <input
            type="text"
            aria-label="New role name"
            placeholder="New role name"
            aria-invalid={createError ? true : undefined}
            aria-describedby={createError ? 'new-role-error' : undefined}
            value={newName}
            onChange={(e) => {
              setNewName(e.target.value);
              setCreateError(null);
            }}
          />
          <button type="submit" className="primary" disabled={creating}>
            Add role
          </button>
        </form>
      </header>
      <AnnouncedScriptNameWarning kind="role" />
      {createError && (
        <p id="new-role-error" className="field-error" role="alert">
          {createError}
        </p>
      )}
      {roles.error && <ErrorBox error={roles.error} lead="Could not load roles:" onRetry={() => void roles.reload()} />}
      {roles.data && list.length === 0 ? (
        <p className="panel muted">No roles yet. Role name scripts give users roles by name; add the roles they return here.</p>
      ) : (
        <div className="panel table-wrap">
          {list.some((r) => r.builtIn) && (
            <p className="muted roles-note" data-testid="built-in-note">
              Built-in roles come with the app, which gives them by name: they cannot be renamed or deleted. Role name scripts return them by these
              names.
            </p>
          )}
          <DataTable columns={['Name', { label: 'Users', num: true }, 'Created', ACTIONS_COLUMN]} busy={roles.loading}>
            {list.map((r) => (
              <RoleRow
                key={r.id}
                role={r}
                onDelete={() => {
                  setDeleteError(null);
                  setDeleting(r);
                }}
              />
            ))}
          </DataTable>
        </div>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete role?"
          testId="delete-role-dialog"
          onClose={() => setDeleting(null)}
          onConfirm={() => void confirmDelete()}
          confirmLabel="Delete"
        >
          <p>
            Delete the role <strong>{deleting.name}</strong>? Role name scripts that return it will show an unknown role.
          </p>
          {deleteError && <ErrorBox error={deleteError} lead="Not deleted:" />}
        </ConfirmDialog>
      )}
    </div>
  );
}
