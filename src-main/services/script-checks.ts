import { SCRIPT_LABELS, type ServerScripts } from '../../src-shared/domain/mapping';
import type { ScriptDiagnostic } from '../../src-shared/domain/scripts';
import type { FieldIssue } from '../../src-shared/errors';

/** Something that compiles scripts without running them: `ScriptEngine.check`. */
export type ScriptChecker = (scripts: ServerScripts) => ScriptDiagnostic[];

/** The scripts with a blank Org name or Role name script turned into null (= no script). */
export function normalizeScripts(scripts: ServerScripts): ServerScripts {
  const blank = (s: string | null) => (s === null || s.trim() === '' ? null : s);
  return { active: scripts.active, orgName: blank(scripts.orgName), roleName: blank(scripts.roleName) };
}

/**
 * Turns the errors of `check` into field issues at `scripts.active` etc. (under `prefix`, e.g.
 * `servers[0].scripts`), each message naming the line and column. Warnings refuse nothing.
 */
export function scriptFieldIssues(diagnostics: readonly ScriptDiagnostic[], prefix = 'scripts'): FieldIssue[] {
  return diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => ({ path: `${prefix}.${d.script}`, message: `${SCRIPT_LABELS[d.script]} script, line ${d.line}, column ${d.column}: ${d.message}` }));
}

/** Compiles the scripts with `check` and returns the field issues of the ones that do not compile. */
export function checkScriptsOrIssues(check: ScriptChecker, scripts: ServerScripts, prefix = 'scripts'): FieldIssue[] {
  const normalized = normalizeScripts(scripts);
  // A blank Active script is reported as "required" by validateServerDraft, not twice.
  const blankActive = normalized.active.trim() === '';
  return scriptFieldIssues(check(normalized).filter((d) => !(blankActive && d.script === 'active')), prefix);
}
