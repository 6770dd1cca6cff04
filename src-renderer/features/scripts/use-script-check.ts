// Checks the scripts' syntax in main (scripts.check) shortly after the admin stops typing.
import { useEffect, useRef, useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { ScriptName, ServerScripts } from '../../../src-shared/domain/mapping';
import type { ScriptDiagnostic } from '../../../src-shared/domain/scripts';

/** Delay after the last keystroke before a check, in milliseconds. */
export const CHECK_DEBOUNCE_MS = 150;

/** Diagnostics per script, from the latest finished check. */
export type DiagnosticsByScript = Record<ScriptName, ScriptDiagnostic[]>;

const NONE: DiagnosticsByScript = { active: [], orgName: [], roleName: [] };

function byScript(list: readonly ScriptDiagnostic[]): DiagnosticsByScript {
  const out: DiagnosticsByScript = { active: [], orgName: [], roleName: [] };
  for (const d of list) out[d.script]?.push(d);
  return out;
}

/** The diagnostics of `scripts` (debounced; an older answer never replaces a newer one). */
export function useScriptCheck(scripts: ServerScripts): { diagnostics: DiagnosticsByScript; error: ErrorInfo | null } {
  const [diagnostics, setDiagnostics] = useState<DiagnosticsByScript>(NONE);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const seq = useRef(0);
  const { active, orgName, roleName } = scripts;

  useEffect(() => {
    const mine = ++seq.current;
    const timer = window.setTimeout(() => {
      call('scripts.check', { scripts: { active, orgName, roleName } }).then(
        (list) => {
          if (mine !== seq.current) return;
          setDiagnostics(byScript(list));
          setError(null);
        },
        (e: unknown) => {
          if (mine !== seq.current) return;
          // The diagnostics of an older text would be shown against this one: none, and the error.
          setDiagnostics(NONE);
          setError(errorInfoOf(e));
        },
      );
    }, CHECK_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [active, orgName, roleName]);

  return { diagnostics, error };
}
