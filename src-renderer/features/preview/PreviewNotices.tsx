import { useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { MissingNames, ScriptFailure } from '../../../src-shared/domain/preview';
import { notifyChanged } from '../../ui/data-events';
import { problemText } from './PreviewTable';

/** "Active script, line 2: Syntax error: ..." for a script that fails on every entry (as a row would say it). */
export function failureText(f: ScriptFailure): string {
  return problemText({ code: f.code, message: f.message, script: f.script, line: f.line, column: f.column });
}

/** Scripts that fail the same way on every entry, each said once above the table. */
export function ScriptFailures({ failures }: { failures: readonly ScriptFailure[] }) {
  if (failures.length === 0) return null;
  return (
    <div role="alert" className="form-error" data-testid="preview-script-failures">
      <ul>
        {failures.map((f) => (
          <li key={f.script} data-testid="script-failure" data-code={f.code}>
            {failureText(f)} <span className="muted">(every entry of this page; fix the script above)</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

const quoted = (names: readonly string[]) => names.map((n) => `“${n}”`).join(', ');

/** Props of {@link MissingNamesNotice}. */
export interface MissingNamesNoticeProps {
  missing: MissingNames;
  /** The saved server: new organizations sign in with it. Unsaved, only roles can be created. */
  serverId: string | undefined;
}

/**
 * The organizations and roles the scripts return on this page that do not exist yet, as a
 * warning with one action that creates them (organizations signing in with this server).
 */
export function MissingNamesNotice({ missing, serverId }: MissingNamesNoticeProps) {
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const { organizations, roles } = missing;
  if (organizations.length === 0 && roles.length === 0) return null;
  const orgsBlocked = organizations.length > 0 && !serverId;
  const parts = [
    organizations.length ? `${organizations.length === 1 ? 'organization' : 'organizations'} ${quoted(organizations)}` : '',
    roles.length ? `${roles.length === 1 ? 'role' : 'roles'} ${quoted(roles)}` : '',
  ].filter(Boolean);
  const create = async () => {
    setState({ busy: true, error: null });
    try {
      if (!orgsBlocked) for (const name of organizations) await call('orgs.create', { org: { name, parentId: null, authServerId: serverId ?? null } });
      for (const name of roles) await call('roles.create', { role: { name } });
      setState({ busy: false, error: null });
    } catch (e) {
      setState({ busy: false, error: errorInfoOf(e).message });
    } finally {
      // Whatever was created counts: the preview checks the names again.
      notifyChanged('orgs', 'roles');
    }
  };
  const what = orgsBlocked ? (roles.length ? `Create ${roles.length === 1 ? 'the role' : `the ${roles.length} roles`}` : null) : `Create ${organizations.length + roles.length === 1 ? 'it' : `these ${organizations.length + roles.length}`}`;
  return (
    <div className="notice warning-text" role="note" data-testid="preview-missing">
      <p>
        Not created yet: {parts.join(' and ')}. A sync cannot place these users until they exist.
        {orgsBlocked && ' Save the server first to create its organizations: they sign in with it.'}
      </p>
      {what && (
        <button type="button" className="small" disabled={state.busy} onClick={() => void create()}>
          {state.busy ? 'Creating…' : what}
        </button>
      )}
      {state.error && (
        <p role="alert" className="warning-text">
          Not all were created: {state.error}
        </p>
      )}
    </div>
  );
}
