import { useRef, useState, type FormEvent } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { OrganizationView, UserView } from '../../../src-shared/domain/directory';
import { MIN_LOCAL_PASSWORD_LENGTH } from '../../../src-shared/domain/sign-in';
import { Dialog } from '../../ui/Dialog';
import { DialogButtons } from '../../ui/DialogButtons';
import { ErrorBox } from '../../ui/ErrorBox';
import { Field } from '../servers/Field';

type UserField = 'username' | 'org' | 'email' | 'firstName' | 'lastName' | 'password';
const FIELDS: readonly UserField[] = ['username', 'org', 'email', 'firstName', 'lastName', 'password'];

/** Props of {@link AddUserDialog}. */
export interface AddUserDialogProps {
  orgs: OrganizationView[];
  onClose: () => void;
  onAdded: (user: UserView) => void;
}

/**
 * Adds a user by hand to an organization with local sign-in (an LDAP organization's users come from
 * its directory, so those are not offered). The password is optional (set later) and lives only in
 * its input until the call.
 */
export function AddUserDialog({ orgs, onClose, onAdded }: AddUserDialogProps) {
  const local = orgs.filter((o) => o.auth.kind === 'local');
  const passwordRef = useRef<HTMLInputElement>(null);
  const [values, setValues] = useState({ username: '', org: local[0]?.name ?? '', email: '', firstName: '', lastName: '' });
  const [issues, setIssues] = useState<Partial<Record<UserField, string>>>({});
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [saving, setSaving] = useState(false);

  const set = (key: keyof typeof values, value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    setIssues((i) => ({ ...i, [key]: undefined }));
  };

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (saving) return;
    const missing: Partial<Record<UserField, string>> = {};
    if (!values.username.trim()) missing.username = 'Enter a username.';
    if (!values.org) missing.org = 'Choose an organization with local sign-in.';
    if (Object.keys(missing).length) {
      setIssues(missing);
      return;
    }
    setSaving(true);
    setError(null);
    const password = passwordRef.current?.value ?? '';
    try {
      const user = await call('users.add', {
        user: {
          username: values.username.trim(),
          org: values.org,
          email: values.email.trim() || null,
          firstName: values.firstName.trim() || null,
          lastName: values.lastName.trim() || null,
          password: password === '' ? null : password,
        },
      });
      if (passwordRef.current) passwordRef.current.value = '';
      onAdded(user);
    } catch (err) {
      const info = errorInfoOf(err);
      const byField: Partial<Record<UserField, string>> = {};
      for (const f of info.fields ?? []) {
        const key = f.path.split('.').pop() as UserField;
        if (FIELDS.includes(key) && !byField[key]) byField[key] = f.message;
      }
      setIssues(byField);
      if (!Object.keys(byField).length) setError(info);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog
      title="Add a user"
      testId="add-user-dialog"
      onClose={onClose}
      actions={<DialogButtons onCancel={onClose} submitForm="add-user-form" confirmLabel={saving ? 'Adding…' : 'Add user'} confirmDisabled={saving || local.length === 0} />}
    >
      <form id="add-user-form" className="server-fields" noValidate onSubmit={(e) => void submit(e)}>
        {error && <ErrorBox error={error} lead="Not added:" />}
        {local.length === 0 && (
          <p className="notice warning-text">
            No organization signs in with local passwords. Users of an LDAP organization come from its directory; create an organization with local authentication first.
          </p>
        )}
        <Field id="add-user-username" label="Username" error={issues.username}>
          {(a11y) => <input {...a11y} type="text" autoComplete="off" spellCheck={false} value={values.username} onChange={(e) => set('username', e.target.value)} />}
        </Field>
        <Field id="add-user-org" label="Organization" error={issues.org} help="Only organizations with local sign-in: an LDAP organization's users come from its directory.">
          {(a11y) => (
            <select {...a11y} value={values.org} onChange={(e) => set('org', e.target.value)}>
              {local.map((o) => (
                <option key={o.id} value={o.name}>
                  {o.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="add-user-email" label="Email (optional)" error={issues.email}>
          {(a11y) => <input {...a11y} type="email" autoComplete="off" spellCheck={false} value={values.email} onChange={(e) => set('email', e.target.value)} />}
        </Field>
        <Field id="add-user-first" label="First name (optional)" error={issues.firstName}>
          {(a11y) => <input {...a11y} type="text" autoComplete="off" value={values.firstName} onChange={(e) => set('firstName', e.target.value)} />}
        </Field>
        <Field id="add-user-last" label="Last name (optional)" error={issues.lastName}>
          {(a11y) => <input {...a11y} type="text" autoComplete="off" value={values.lastName} onChange={(e) => set('lastName', e.target.value)} />}
        </Field>
        <Field
          id="add-user-password"
          label="Password (optional)"
          error={issues.password}
          help={`At least ${MIN_LOCAL_PASSWORD_LENGTH} characters; stored as a salted scrypt hash. Leave empty to set it later: until then the user cannot sign in.`}
        >
          {(a11y) => <input {...a11y} ref={passwordRef} type="password" autoComplete="new-password" onChange={() => setIssues((i) => ({ ...i, password: undefined }))} />}
        </Field>
      </form>
    </Dialog>
  );
}
