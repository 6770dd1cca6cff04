/**
 * A script that does not compile (a syntax error, not a function, its top-level code failing)
 * fails the same way on every entry. The preview says so once, above the table, instead of
 * repeating it on each row and counting it once per row.
 */
import type { ScriptName } from '../../src-shared/domain/mapping';
import type { PreviewRow, RowProblem, ScriptFailure } from '../../src-shared/domain/preview';
import type { ScriptDiagnostic } from '../../src-shared/domain/scripts';

/** Codes of failures that come from loading the script, not from one entry. */
const LOAD_CODES: ReadonlySet<string> = new Set(['SCRIPT_SYNTAX', 'SCRIPT_NOT_FUNCTION']);

const sameFailure = (a: RowProblem, b: RowProblem) => a.code === b.code && a.message === b.message && a.line === b.line && a.column === b.column;

/**
 * Takes the failures of scripts that cannot run off the rows (in place) and returns each once.
 * A script is taken when the compile check reports an error for it, or when every entry of the
 * page failed with one identical load-time failure (syntax, not a function).
 */
export function collapseScriptFailures(rows: PreviewRow[], diagnostics: readonly ScriptDiagnostic[], entries: number): ScriptFailure[] {
  const failures: ScriptFailure[] = [];
  if (entries === 0) return failures;
  const scripts = new Set<ScriptName>();
  for (const r of rows) for (const p of r.errors) if (p.script && p.code.startsWith('SCRIPT_')) scripts.add(p.script);
  for (const script of scripts) {
    const ofScript = (r: PreviewRow) => r.errors.filter((p) => p.script === script && p.code.startsWith('SCRIPT_'));
    const firsts = new Map<number, RowProblem>();
    for (const r of rows) {
      const p = ofScript(r)[0];
      if (p && !firsts.has(r.entryIndex)) firsts.set(r.entryIndex, p);
    }
    const sample = firsts.values().next().value as RowProblem | undefined;
    if (!sample || firsts.size < entries) continue;
    const doesNotCompile = diagnostics.some((d) => d.script === script && d.severity === 'error');
    const uniform = LOAD_CODES.has(sample.code) && [...firsts.values()].every((p) => sameFailure(p, sample));
    if (!doesNotCompile && !uniform) continue;
    for (const r of rows) r.errors = r.errors.filter((p) => !(p.script === script && p.code.startsWith('SCRIPT_')));
    const failure: ScriptFailure = { script, code: sample.code as ScriptFailure['code'], message: sample.message, entries };
    if (sample.line !== undefined) failure.line = sample.line;
    if (sample.column !== undefined) failure.column = sample.column;
    failures.push(failure);
  }
  return failures;
}
