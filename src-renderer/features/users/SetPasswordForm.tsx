import { useRef, useState, type FormEvent } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { UserDetail } from '../../../src-shared/domain/local-users';
import { MIN_LOCAL_PASSWORD_LENGTH } from '../../../src-shared/domain/sign-in';
import { ErrorBox } from '../../ui/ErrorBox';
import { Field } from '../servers/Field';

/**
 * A user's local password. For a user whose organization signs in with LDAP there is none to set:
 * the panel says so (main refuses such a change with LDAP_MANAGED, shown the same way). The new
 * password lives only in its input and is cleared after the call.
 */
export function SetPasswordForm({ detail, onSet }: { detail: UserDetail; onSet: () => void }) {
  const ref = useRef<HTMLInputElement>(null);
  const [issue, setIssue] = useState<string | undefined>();
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const user = detail.user;

  if (detail.signIn === 'ldap') {
    return (
      <div className="notice ldap-managed" data-testid="password-ldap-managed">
        <p>
          <strong>Password managed by the directory.</strong> {user.username} signs in with their password in the LDAP directory of {user.orgName}: change it in the
          directory. Local passwords are only for organizations with local sign-in.
        </p>
        <p className="muted mono error-code">LDAP_MANAGED</p>
      </div>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const password = ref.current?.value ?? '';
    if ([...password].length < MIN_LOCAL_PASSWORD_LENGTH) {
      setIssue(`At least ${MIN_LOCAL_PASSWORD_LENGTH} characters.`);
      return;
    }
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await call('users.setPassword', { id: user.id, password });
      setDone(detail.hasLocalPassword ? 'Password changed.' : 'Password set: the user can sign in with it.');
      onSet();
    } catch (err) {
      const info = errorInfoOf(err);
      const field = info.fields?.find((f) => f.path.endsWith('password'));
      if (field && info.code !== 'LDAP_MANAGED') setIssue(field.message);
      else setError(info);
    } finally {
      if (ref.current) ref.current.value = '';
      setBusy(false);
    }
  };

  return (
    <form className="server-fields set-password" aria-label="Local password" noValidate onSubmit={(e) => void submit(e)}>
      <Field
        id="set-password"
        label={detail.hasLocalPassword ? 'New local password' : 'Local password (none set yet)'}
        error={issue}
        help={`At least ${MIN_LOCAL_PASSWORD_LENGTH} characters; stored as a salted scrypt hash.`}
      >
        {(a11y) => <input {...a11y} ref={ref} type="password" autoComplete="new-password" onChange={() => setIssue(undefined)} />}
      </Field>
      <div className="toolbar">
        <button type="submit" disabled={busy}>
          {detail.hasLocalPassword ? 'Change password' : 'Set password'}
        </button>
        {done && (
          <span role="status" className="ok">
            {done}
          </span>
        )}
      </div>
      {error && <ErrorBox error={error} lead="Not changed:" testId="set-password-error" />}
    </form>
  );
}
