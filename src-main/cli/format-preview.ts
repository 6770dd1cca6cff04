import { SCRIPT_LABELS, SCRIPT_NAMES } from '../../src-shared/domain/mapping';
import type { PreviewResult, RawEntry, RowProblem } from '../../src-shared/domain/preview';
import { adBinaryText } from '../../src-shared/ldap/ad-binary';
import { table } from './format-server';

const cell = (v: string | null) => (v === null || v === '' ? '–' : v.replace(/[\r\n\t]+/g, ' '));
const problemText = (p: RowProblem) => `${p.severity === 'warning' ? 'warning ' : ''}${p.code}${p.line !== undefined ? ` (line ${p.line}${p.column !== undefined ? `:${p.column}` : ''})` : ''}: ${p.message}`;
const count = (n: number) => n.toLocaleString('en-US');

/**
 * A measured time for people: three significant digits at most (58.0, 5.81, 0.0581), whole
 * numbers from 100 up (`58.023499999990236` reads `58.0`). JSON output keeps the exact number.
 */
export function roundedCost(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n === 0 || Math.abs(n) >= 100) return String(Math.round(n));
  return n.toPrecision(3);
}

/**
 * The summary line, labelled with what it counts: "Page 6 of 30, entries 251-300 of 1,500 matching
 * the search. This page: 50 entries, ...". The counts are the page's; the whole result's size is the total.
 */
export function previewSummaryLine(r: PreviewResult): string {
  const pages = r.total === null ? '' : ` of ${count(Math.max(1, Math.ceil(r.total / r.pageSize)))}`;
  const s = r.summary;
  const first = (r.page - 1) * r.pageSize + 1;
  const span = s.entries === 0 ? 'no entries' : `entries ${count(first)}-${count(first + s.entries - 1)}`;
  const whole = r.total === 0 ? 'no entry matches the search' : r.total === null ? `${span} (total unknown)` : `${span} of ${count(r.total)} matching the search`;
  const warnings = s.warnings > 0 ? `, ${count(s.warnings)} with warnings` : '';
  return (
    `Page ${r.page}${pages}, ${whole}. This page: ${count(s.entries)} entries, ${count(s.users)} users, ` +
    `${count(s.active)} active, ${count(s.inactive)} inactive, ${count(s.errors)} with errors${warnings}, scripts ${roundedCost(s.scriptMs)} ms\n`
  );
}

/** A script that failed on every entry, said once. */
function failureText(f: PreviewResult['scriptFailures'][number]): string {
  const where = f.line !== undefined ? `, line ${f.line}${f.column !== undefined ? `, column ${f.column}` : ''}` : '';
  return `Error: ${SCRIPT_LABELS[f.script]} script${where} (${f.code}), on every entry of the page: ${f.message}\n`;
}

/**
 * A preview page as text: a table of rows (problems under it), the summary, script problems and
 * output, and the ldapsearch equivalent. `snapshot` names the snapshot the page was read from.
 */
export function formatPreview(r: PreviewResult, opts: { snapshot?: string } = {}): string {
  let out = opts.snapshot ? `Source: the snapshot "${opts.snapshot}" (the directory was not read)\n\n` : '';
  for (const f of r.scriptFailures) out += failureText(f);
  if (r.scriptFailures.length) out += '\n';
  const how = r.match === 'prefix' ? 'begins with' : r.match === 'contains' ? 'contains' : 'is';
  if (r.rows.length === 0 && r.problemsOnly && r.summary.entries > 0) out += 'No row on this page has a problem.\n';
  else if (r.rows.length === 0) out += r.search === null ? 'No entries match the search filter.\n' : `No entry has a username that ${how} "${r.search}".\n`;
  else {
    const rows = r.rows.map((row) => [
      row.dn,
      cell(row.username),
      cell(row.email),
      cell(row.firstName),
      cell(row.lastName),
      row.active === null ? '–' : row.active ? 'yes' : 'no',
      cell(row.org),
      row.roles.length ? row.roles.join(', ') : '–',
      row.errors.length ? String(row.errors.length) : '',
    ]);
    out += table([['DN', 'USERNAME', 'EMAIL', 'FIRST NAME', 'LAST NAME', 'ACTIVE', 'ORG', 'ROLES', 'PROBLEMS'], ...rows]);
    const problems = r.rows.flatMap((row) => row.errors.map((p) => `  ${row.username ?? row.dn}: ${problemText(p)}\n`));
    if (problems.length) out += `\nProblems:\n${problems.join('')}`;
  }
  out += `\n${previewSummaryLine(r)}`;
  if (r.problemsOnly) out += 'Only rows with problems are listed.\n';
  const missing = [...r.missing.organizations.map((n) => `organization "${n}"`), ...r.missing.roles.map((n) => `role "${n}"`)];
  if (missing.length) out += `Warning: not created yet: ${missing.join(', ')}: create them on the Organizations and Roles screens, or list them under "organizations" and "roles" in a config file for ldap-sync config apply.\n`;
  if (r.references) out += `${r.references.failsSync ? 'Warning: ' : 'Note: '}${r.references.message}\n`;
  const costs = SCRIPT_NAMES.filter((n) => r.costs[n] !== null).map((n) => `${SCRIPT_LABELS[n]} ${roundedCost(r.costs[n]!)} µs/entry`);
  if (costs.length) out += `Script cost: ${costs.join(', ')}\n`;
  for (const d of r.diagnostics) out += `${d.severity}: ${SCRIPT_LABELS[d.script]} script, line ${d.line}, column ${d.column}: ${d.message}\n`;
  if (r.logs.length) out += `\nScript output (console.log):\n${r.logs.map((l) => `  [${SCRIPT_LABELS[l.script]}] ${l.dn}: ${l.text}\n`).join('')}`;
  // A snapshot's page has no command (an offline server has no directory to send it to).
  if (r.ldapsearch) out += `\nEquivalent ldapsearch${opts.snapshot ? ' (on the live directory)' : ''}: ${r.ldapsearch}\n`;
  return out;
}

/**
 * One entry's raw attributes as text (`ldap-sync preview NAME --raw DN`): one `name: value` line
 * per value, as LDIF would show it; binary values as their size and base64, SIDs and GUIDs
 * (objectSid, objectGUID...) first as the text AD tools show.
 */
export function formatRawEntry(e: RawEntry): string {
  let out = `dn: ${e.dn}\n`;
  for (const a of e.attributes) {
    if (a.values.length === 0) out += `${a.name}: (no values)\n`;
    for (const v of a.values) {
      if (v.kind === 'text') {
        out += `${a.name}: ${v.text.replace(/\r?\n/g, '\\n')}\n`;
        continue;
      }
      const text = adBinaryText(a.name, v.base64);
      out += `${a.name}: ${text ? `${text} (` : '('}${v.size.toLocaleString('en-US')} ${v.size === 1 ? 'byte' : 'bytes'}, base64 ${v.base64})\n`;
    }
  }
  return out;
}
