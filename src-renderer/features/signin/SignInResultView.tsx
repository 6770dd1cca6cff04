import type { SignInResult } from '../../../src-shared/domain/sign-in';
import { LdapsearchCommand } from '../../ui/LdapsearchCommand';
import { STEP_LABELS, stepText, stepTime } from './sign-in-steps';

/**
 * The answer of one Test sign-in: the outcome (allowed or refused, its code and message), the user it
 * concerns, and each step with its time in the order it ran; the search step's ldapsearch line can
 * be copied to run in a terminal.
 */
export function SignInResultView({ result }: { result: SignInResult }) {
  const total = result.steps.reduce((sum, s) => sum + s.ms, 0);
  const u = result.user;
  return (
    <section className="panel signin-result" aria-labelledby="signin-result-title" data-testid="signin-result" data-code={result.code}>
      <div className={result.allowed ? 'signin-outcome signin-allowed' : 'signin-outcome signin-refused'} data-testid="signin-outcome">
        <h3 id="signin-result-title">
          {result.allowed ? '✓ Allowed' : '✗ Refused'} <span className="mono signin-code">{result.code}</span>
          {result.registered && <span className="badge badge-ok">Registered</span>}
        </h3>
        <p className="signin-message" data-testid="signin-message">
          {result.message}
        </p>
      </div>
      {u && (
        <dl className="signin-user" data-testid="signin-user">
          <dt>User</dt>
          <dd className="mono">{u.username}</dd>
          <dt>Email</dt>
          <dd>{u.email ?? <span className="muted">—</span>}</dd>
          <dt>Organization</dt>
          <dd>{u.org}</dd>
          <dt>Roles</dt>
          <dd>{u.roles.length ? u.roles.join(', ') : <span className="muted">—</span>}</dd>
          <dt>Signs in with</dt>
          <dd>{u.source === 'local' ? 'Local password' : `LDAP: ${u.source}`}</dd>
          <dt>Status</dt>
          <dd>{u.active ? <span className="ok">Active</span> : <span className="bad">Not active</span>}</dd>
        </dl>
      )}
      <h4 className="signin-steps-title">
        Steps <span className="muted">({stepTime(total)} in all)</span>
      </h4>
      <ol className="signin-steps" data-testid="signin-steps">
        {result.steps.map((s, i) => {
          const t = stepText(s);
          return (
            <li key={i} className={s.ok ? 'signin-step step-ok' : 'signin-step step-bad'} data-testid="signin-step" data-step={s.name} data-ok={s.ok}>
              <span className="signin-step-mark" aria-hidden="true">
                {s.ok ? '✓' : '✗'}
              </span>
              <span className="signin-step-name">
                {STEP_LABELS[s.name] ?? s.name}
                <span className="visually-hidden">{s.ok ? ' (passed)' : ' (failed)'}</span>
              </span>
              <span className="signin-step-time muted">{stepTime(s.ms)}</span>
              <span className={s.name === 'dn' ? 'signin-step-detail mono' : 'signin-step-detail'} data-testid={`signin-step-${s.name.replace(' ', '-')}`}>
                {t.text}
              </span>
              {t.ldapsearch && (
                <div className="signin-step-extra">
                  <LdapsearchCommand command={t.ldapsearch} testId="signin-ldapsearch" summary="Equivalent ldapsearch command (-W asks for the bind account's password)" />
                </div>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
