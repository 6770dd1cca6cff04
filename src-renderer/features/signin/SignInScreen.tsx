import { useRef, useState, type FormEvent } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { SignInResult } from '../../../src-shared/domain/sign-in';
import { notifyChanged } from '../../ui/data-events';
import { ErrorBox } from '../../ui/ErrorBox';
import { Field, Switch } from '../servers/Field';
import { useOrgs } from '../orgs/use-orgs';
import { SignInResultView } from './SignInResultView';

type SignInField = 'username' | 'password' | 'registrationKey' | 'device';
const FIELDS: readonly SignInField[] = ['username', 'password', 'registrationKey', 'device'];

/**
 * The Test sign-in screen: one sign-in attempt as a user would make it (username, password, an
 * optional registration key), with each step main ran and its time. The password lives only in its
 * input (never in React state) and is cleared once the attempt is answered. With Register on, an
 * allowed registration is recorded (the new user, the named device).
 */
export function SignInScreen({ active }: { active: boolean }) {
  const orgs = useOrgs(active);
  const passwordRef = useRef<HTMLInputElement>(null);
  const [username, setUsername] = useState('');
  const [registrationKey, setRegistrationKey] = useState('');
  const [register, setRegister] = useState(false);
  const [device, setDevice] = useState('');
  const [issues, setIssues] = useState<Partial<Record<SignInField, string>>>({});
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [result, setResult] = useState<SignInResult | null>(null);
  const [busy, setBusy] = useState(false);
  // Counts answered attempts, so an identical answer is still seen as new (tests wait on it).
  const [attempts, setAttempts] = useState(0);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!username.trim()) {
      setIssues({ username: 'Enter a username.' });
      return;
    }
    setBusy(true);
    setError(null);
    setIssues({});
    try {
      const r = await call('auth.test', {
        username: username.trim(),
        password: passwordRef.current?.value ?? '',
        registrationKey: registrationKey.trim() || null,
        register,
        device: register && device.trim() ? device.trim() : null,
      });
      setResult(r);
      if (r.registered) notifyChanged('users', 'orgs');
    } catch (err) {
      const info = errorInfoOf(err);
      const byField: Partial<Record<SignInField, string>> = {};
      for (const f of info.fields ?? []) {
        const key = f.path.split('.').pop() as SignInField;
        if (FIELDS.includes(key) && !byField[key]) byField[key] = f.message;
      }
      setIssues(byField);
      setError(info);
      setResult(null);
    } finally {
      // The password goes into this one call and nowhere else: the next attempt types it again.
      if (passwordRef.current) passwordRef.current.value = '';
      setBusy(false);
      setAttempts((n) => n + 1);
    }
  };

  const keyOrgs = orgs.data ?? [];
  return (
    <div className="screen signin-screen">
      <header className="screen-head">
        <h2>Test sign-in</h2>
        <p className="muted signin-lead">
          Sign in as a user would, and see each step: which server is asked, the search, the bind, the scripts. Nothing is recorded unless Register is on.
        </p>
      </header>
      <div className="signin-layout">
        <form className="panel server-fields signin-form" aria-label="Sign-in attempt" noValidate onSubmit={(e) => void submit(e)}>
          <Field id="signin-username" label="Username" error={issues.username} help="As the user types it: filter characters such as * are searched literally.">
            {(a11y) => (
              <input
                {...a11y}
                type="text"
                autoComplete="off"
                spellCheck={false}
                value={username}
                onChange={(e) => {
                  setUsername(e.target.value);
                  setIssues((i) => ({ ...i, username: undefined }));
                }}
              />
            )}
          </Field>
          <Field id="signin-password" label="Password" error={issues.password} help="Used for this one attempt, then cleared. It is never stored or shown.">
            {(a11y) => <input {...a11y} ref={passwordRef} type="password" autoComplete="off" />}
          </Field>
          <Field
            id="signin-key"
            label="Registration key (optional)"
            error={issues.registrationKey}
            help="For someone without an account yet: the key of the organization they register with."
            extra={
              keyOrgs.length > 0 && (
                <label className="inline-field signin-key-pick">
                  <span className="muted">Use the key of</span>
                  <select
                    className="auto-width"
                    value=""
                    onChange={(e) => {
                      const org = keyOrgs.find((o) => o.id === e.target.value);
                      if (org) setRegistrationKey(org.registrationKey);
                    }}
                  >
                    <option value="">(choose an organization)</option>
                    {keyOrgs.map((o) => (
                      <option key={o.id} value={o.id}>
                        {o.name}
                      </option>
                    ))}
                  </select>
                </label>
              )
            }
          >
            {(a11y) => <input {...a11y} type="text" className="mono" autoComplete="off" spellCheck={false} value={registrationKey} onChange={(e) => setRegistrationKey(e.target.value)} />}
          </Field>
          <Switch
            id="signin-register"
            label="Register"
            checked={register}
            onChange={setRegister}
            help="Records an allowed registration: the new user, and the device below. Off: says what would happen and records nothing."
          />
          <Field id="signin-device" label="Device name (optional)" error={issues.device} help={register ? 'Added to the user when the sign-in is allowed.' : 'Turn Register on to add a device.'}>
            {(a11y) => <input {...a11y} type="text" autoComplete="off" disabled={!register} value={device} onChange={(e) => setDevice(e.target.value)} />}
          </Field>
          <div className="toolbar">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Signing in…' : register ? 'Sign in and register' : 'Sign in'}
            </button>
          </div>
          {error && <ErrorBox error={error} lead="Not tried:" testId="signin-error" />}
        </form>
        <div className="signin-answer" aria-live="polite" data-testid="signin-answer" data-attempts={attempts}>
          {result ? (
            <SignInResultView result={result} />
          ) : (
            <p className="panel muted signin-empty">The outcome and each step appear here.</p>
          )}
        </div>
      </div>
    </div>
  );
}
