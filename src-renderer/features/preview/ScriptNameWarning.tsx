// After an organization or role is renamed or deleted: the saved scripts that still return its old
// name, so the admin knows the next sync (and the preview) will not find it.
import { useEffect, useState } from 'react';
import { call } from '../../api';
import type { ScriptNameUse } from '../../../src-shared/domain/preview';
import { SCRIPT_META } from '../scripts/script-meta';

/** What changed: an organization or role renamed (to `newName`) or deleted (`newName` null). */
export interface NameChange {
  kind: 'org' | 'role';
  oldName: string;
  newName: string | null;
}

/** Props of {@link ScriptNameWarning}. */
export interface ScriptNameWarningProps {
  change: NameChange | null;
  onDismiss: () => void;
}

/**
 * A warning naming each saved server whose Org name or Role name script spells the old name
 * ("Corp: Org name script returns "Sales""), with the consequence and the fix; nothing when none does.
 */
export function ScriptNameWarning({ change, onDismiss }: ScriptNameWarningProps) {
  const [uses, setUses] = useState<{ change: NameChange; list: ScriptNameUse[] } | null>(null);
  useEffect(() => {
    if (!change) return;
    let live = true;
    call('preview.scriptsReturning', { kind: change.kind, name: change.oldName }).then(
      (list) => live && setUses({ change, list }),
      () => live && setUses(null),
    );
    return () => {
      live = false;
    };
  }, [change]);
  if (!change || !uses || uses.change !== change || uses.list.length === 0) return null;
  const what = change.kind === 'org' ? 'organization' : 'role';
  const done = change.newName === null ? `was deleted` : `is now named “${change.newName}”`;
  return (
    <div className="notice warning-text script-name-warning" role="alert" data-testid="script-name-warning">
      <p>
        The {what} “{change.oldName}” {done}, but saved scripts still return “{change.oldName}”:
      </p>
      <ul>
        {uses.list.map((u) => (
          <li key={`${u.serverId}-${u.script}`}>
            {u.serverName}: {SCRIPT_META[u.script].title}
          </li>
        ))}
      </ul>
      <p>
        Until those scripts change, their users get “No {what} is named …” in the preview and a sync cannot {change.kind === 'org' ? 'place them' : 'give them this role'}.
        {change.newName !== null ? ` Edit the scripts to return “${change.newName}”, or rename the ${what} back.` : ` Edit the scripts, or create the ${what} again.`}
      </p>
      <button type="button" className="small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

// The Organizations and Roles screens announce a rename or delete where it happens (a row, a dialog);
// the screen shows the warning once, at its top.
const listeners = new Set<(c: NameChange) => void>();

/** Says that an organization or role was renamed or deleted (call after the change succeeded). */
export function announceNameChange(change: NameChange): void {
  if (change.newName !== null && change.newName.trim().toLowerCase() === change.oldName.trim().toLowerCase()) return;
  for (const l of Array.from(listeners)) l(change);
}

/** The warning for the latest announced change of this kind, if saved scripts still return the old name. */
export function AnnouncedScriptNameWarning({ kind }: { kind: NameChange['kind'] }) {
  const [change, setChange] = useState<NameChange | null>(null);
  useEffect(() => {
    const l = (c: NameChange) => {
      if (c.kind === kind) setChange(c);
    };
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, [kind]);
  return <ScriptNameWarning change={change} onDismiss={() => setChange(null)} />;
}
