import { SCRIPT_LABELS, type ServerScripts } from '../../src-shared/domain/mapping';
import type { ScriptTestCase, ScriptTestResult } from '../../src-shared/domain/script-tests';
import type { EvaluationResult, EntryInput } from './engine';

/** What runs the test cases: the app's ScriptRunner, or a ScriptEngine (tests). */
export interface CaseEvaluator {
  evaluate(scripts: ServerScripts, entries: EntryInput[]): EvaluationResult | Promise<EvaluationResult>;
}

const sameRoles = (a: readonly string[], b: readonly string[]) => {
  const norm = (xs: readonly string[]) => [...new Set(xs.map((x) => x.trim().toLowerCase()).filter((x) => x !== ''))].sort().join('\n');
  return norm(a) === norm(b);
};

/**
 * Runs each test case's entry through its script and compares the result with the expected one
 * (organization and role names ignoring case and surrounding spaces, as the sync matches them).
 */
export async function runScriptTests(engine: CaseEvaluator, scripts: ServerScripts, cases: readonly ScriptTestCase[]): Promise<ScriptTestResult[]> {
  if (cases.length === 0) return [];
  const { outcomes } = await engine.evaluate(scripts, cases.map((c) => ({ dn: c.entry.dn, attributes: c.entry.attributes })));
  return cases.map((c, i): ScriptTestResult => {
    const o = outcomes[i];
    const base = { id: c.id, script: c.script, name: c.name, expected: c.expected };
    const text = scripts[c.script];
    if (text === null || text.trim() === '') return { ...base, pass: false, error: `There is no ${SCRIPT_LABELS[c.script]} script to test.` };
    const err = o.errors.find((e) => e.script === c.script);
    if (err) return { ...base, pass: false, error: err.line !== undefined ? `${err.message} (line ${err.line})` : err.message };
    if (c.script === 'active') return { ...base, actual: o.active, pass: o.active === c.expected };
    if (c.script === 'orgName') {
      const want = typeof c.expected === 'string' && c.expected.trim() !== '' ? c.expected.trim().toLowerCase() : null;
      const got = o.org !== null && o.org.trim() !== '' ? o.org.trim().toLowerCase() : null;
      return { ...base, actual: o.org, pass: want === got };
    }
    return { ...base, actual: o.roles, pass: Array.isArray(c.expected) && sameRoles(o.roles, c.expected) };
  });
}
