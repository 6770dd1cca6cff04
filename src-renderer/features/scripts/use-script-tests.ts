// Runs the script test cases (scripts.test) on the current, possibly unsaved, scripts shortly after
// the admin stops typing or changes a case.
import { useEffect, useRef, useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { ServerScripts } from '../../../src-shared/domain/mapping';
import type { ScriptTestCase, ScriptTestResult } from '../../../src-shared/domain/script-tests';

/** Delay after the last change before the cases run again, in milliseconds. */
export const TEST_DEBOUNCE_MS = 300;

/** The latest results by case id; `running` while the results do not match the current scripts and cases yet. */
export interface ScriptTests {
  results: Record<string, ScriptTestResult>;
  running: boolean;
  error: ErrorInfo | null;
}

/** Runs `cases` against `scripts` (debounced; an older answer never replaces a newer one). */
export function useScriptTests(scripts: ServerScripts, cases: readonly ScriptTestCase[]): ScriptTests {
  const [results, setResults] = useState<Record<string, ScriptTestResult>>({});
  const [doneKey, setDoneKey] = useState<string | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const seq = useRef(0);
  const key = JSON.stringify([scripts.active, scripts.orgName, scripts.roleName, cases]);
  const inputs = useRef({ scripts, cases });
  inputs.current = { scripts, cases };

  useEffect(() => {
    const mine = ++seq.current;
    const { scripts: s, cases: list } = inputs.current;
    if (list.length === 0) {
      setResults({});
      setError(null);
      setDoneKey(key);
      return;
    }
    const timer = window.setTimeout(() => {
      call('scripts.test', { scripts: { active: s.active, orgName: s.orgName, roleName: s.roleName }, cases: [...list] }).then(
        (out) => {
          if (mine !== seq.current) return;
          setResults(Object.fromEntries(out.map((r) => [r.id, r])));
          setError(null);
          setDoneKey(key);
        },
        (e: unknown) => {
          if (mine !== seq.current) return;
          setResults({});
          setError(errorInfoOf(e));
          setDoneKey(key);
        },
      );
    }, TEST_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [key]);

  return { results, running: doneKey !== key, error };
}
