import { SCRIPT_LABELS, type ServerScripts } from '../../src-shared/domain/mapping';
import type { ScriptTestCase, ScriptTestResult } from '../../src-shared/domain/script-tests';
import type { EvaluationResult, EntryInput, ScriptOutcome } from './engine';
import type { GroupsOf } from './wire';

/** What runs the test cases: the app's ScriptRunner, or a ScriptEngine (tests). */
export interface CaseEvaluator {
  evaluate(scripts: ServerScripts, entries: EntryInput[], opts?: { groups?: GroupsOf }): EvaluationResult | Promise<EvaluationResult>;
}

const NO_GROUPS: readonly string[] = [];

/**
 * The cases split into runs of the engine in which each DN has one list of groups (the engine looks
 * memberships up by DN): one run, unless two cases give the same DN different groups.
 */
function runsOf(cases: readonly ScriptTestCase[]): { at: number[]; groups: Map<string, readonly string[]> }[] {
  const runs: { at: number[]; groups: Map<string, readonly string[]> }[] = [];
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((g, i) => g === b[i]);
  cases.forEach((c, i) => {
    const groups = c.entry.groups ?? NO_GROUPS;
    let run = runs.find((r) => {
      const had = r.groups.get(c.entry.dn);
      return had === undefined || same(had, groups);
    });
    if (!run) runs.push((run = { at: [], groups: new Map() }));
    run.at.push(i);
    run.groups.set(c.entry.dn, groups);
  });
  return runs;
}

/** Every case's outcome: each entry in the groups its case gives (none when it gives none). */
async function outcomesOf(engine: CaseEvaluator, scripts: ServerScripts, cases: readonly ScriptTestCase[]): Promise<ScriptOutcome[]> {
  const outcomes: ScriptOutcome[] = new Array(cases.length);
  for (const run of runsOf(cases)) {
    const entries = run.at.map((i) => ({ dn: cases[i].entry.dn, attributes: cases[i].entry.attributes }));
    const groups: GroupsOf = (dn) => run.groups.get(dn) ?? NO_GROUPS;
    const r = await engine.evaluate(scripts, entries, { groups });
    run.at.forEach((i, k) => (outcomes[i] = r.outcomes[k]));
  }
  return outcomes;
}

const sameRoles = (a: readonly string[], b: readonly string[]) => {
  const norm = (xs: readonly string[]) => [...new Set(xs.map((x) => x.trim().toLowerCase()).filter((x) => x !== ''))].sort().join('\n');
  return norm(a) === norm(b);
};

/**
 * Runs each test case's entry through its script and compares the result with the expected one
 * (organization and role names ignoring case and surrounding spaces, as the sync matches them).
 * The `groups` helpers see the groups the case gives its entry.
 */
export async function runScriptTests(engine: CaseEvaluator, scripts: ServerScripts, cases: readonly ScriptTestCase[]): Promise<ScriptTestResult[]> {
  if (cases.length === 0) return [];
  const outcomes = await outcomesOf(engine, scripts, cases);
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
