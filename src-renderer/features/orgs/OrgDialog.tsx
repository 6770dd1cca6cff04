import { useMemo, useState, type FormEvent } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { OrganizationInput, OrganizationView } from '../../../src-shared/domain/directory';
import type { ServerView } from '../../../src-shared/domain/server';
import { Dialog } from '../../ui/Dialog';
import { DialogButtons } from '../../ui/DialogButtons';
import { ErrorBox } from '../../ui/ErrorBox';
import { Field } from '../servers/Field';
import { AuthImpactNote } from './AuthImpactNote';

/** Props of {@link OrgDialog}. */
export interface OrgDialogProps {
  /** The organization to edit, or null to create one. */
  org: OrganizationView | null;
  orgs: OrganizationView[];
  servers: ServerView[];
  onClose: () => void;
  onSaved: (org: OrganizationView) => void;
}

/** Ids of `id` and every organization below it (they cannot become its parent). */
function selfAndDescendants(id: string, orgs: OrganizationView[]): Set<string> {
  const out = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const o of orgs) {
      if (o.parentId && out.has(o.parentId) && !out.has(o.id)) {
        out.add(o.id);
        grew = true;
      }
    }
  }
  return out;
}

type OrgField = 'name' | 'parentId' | 'authServerId';

/** Create or edit an organization: name, parent and how its users sign in. Enter saves, Esc cancels. */
export function OrgDialog({ org, orgs, servers, onClose, onSaved }: OrgDialogProps) {
  const [name, setName] = useState(org?.name ?? '');
  const [parentId, setParentId] = useState<string | null>(org?.parentId ?? null);
  const [authServerId, setAuthServerId] = useState<string | null>(org?.auth.kind === 'ldap' ? org.auth.serverId : null);
  const [issues, setIssues] = useState<Partial<Record<OrgField, string>>>({});
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [saving, setSaving] = useState(false);

  const excluded = useMemo(() => (org ? selfAndDescendants(org.id, orgs) : new Set<string>()), [org, orgs]);
  const parents = orgs.filter((o) => !excluded.has(o.id));

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (saving) return;
    if (!name.trim()) {
      setIssues({ name: 'Enter a name.' });
      return;
    }
    setSaving(true);
    setError(null);
    const input: OrganizationInput = { name: name.trim(), parentId, authServerId };
    try {
      const saved = org ? await call('orgs.update', { id: org.id, org: input }) : await call('orgs.create', { org: input });
      onSaved(saved);
    } catch (err) {
      const info = errorInfoOf(err);
      const byField: Partial<Record<OrgField, string>> = {};
      const other = [];
      for (const f of info.fields ?? []) {
        const key = f.path.split('.').pop() as OrgField;
        if ((key === 'name' || key === 'parentId' || key === 'authServerId') && !byField[key]) byField[key] = f.message;
        else other.push(f);
      }
      setIssues(byField);
      // A problem that belongs to a field shows there; anything else at the top of the dialog.
      if (Object.keys(byField).length === 0 || other.length > 0) setError({ ...info, fields: other.length ? other : undefined });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog
      title={org ? `Edit ${org.name}` : 'New organization'}
      testId="org-dialog"
      onClose={onClose}
      actions={<DialogButtons onCancel={onClose} submitForm="org-form" confirmLabel={saving ? 'Saving…' : org ? 'Save' : 'Create'} confirmDisabled={saving} />}
    >
      <form id="org-form" className="server-fields" noValidate onSubmit={(e) => void submit(e)}>
        {error && <ErrorBox error={error} />}
        <Field id="org-name" label="Name" error={issues.name} help="Unique; Org name scripts place users by this name.">
          {(a11y) => (
            <input
              {...a11y}
              type="text"
              autoComplete="off"
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                setIssues((i) => ({ ...i, name: undefined }));
              }}
            />
          )}
        </Field>
        <Field id="org-parent" label="Parent organization" error={issues.parentId} help={org ? 'An organization cannot sit under itself or one of its own sub-organizations.' : undefined}>
          {(a11y) => (
            <select {...a11y} value={parentId ?? ''} onChange={(e) => setParentId(e.target.value || null)}>
              <option value="">(none: top level)</option>
              {parents.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id="org-auth"
          label="Authentication"
          error={issues.authServerId}
          help="With an LDAP server, its users sign in against that directory and its sync manages them."
        >
          {(a11y) => (
            <select {...a11y} value={authServerId ?? ''} onChange={(e) => setAuthServerId(e.target.value || null)}>
              <option value="">Local</option>
              {servers.map((s) => (
                <option key={s.id} value={s.id}>
                  LDAP: {s.name || '(unnamed server)'}
                </option>
              ))}
            </select>
          )}
        </Field>
        {/* Before saving a new sign-in method, say what it means for the users already there. */}
        {org && authServerId !== (org.auth.kind === 'ldap' ? org.auth.serverId : null) && <AuthImpactNote orgId={org.id} authServerId={authServerId} />}
      </form>
    </Dialog>
  );
}
