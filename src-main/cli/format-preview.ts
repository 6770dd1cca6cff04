import { SCRIPT_LABELS, SCRIPT_NAMES } from '../../src-shared/domain/mapping';
import type { PreviewResult, RawEntry, RowProblem } from '../../src-shared/domain/preview';
import { adBinaryText } from '../../src-shared/ldap/ad-binary';
import { table } from './format-server';

const cell = (v: string | null) => (v === null || v === '' ? '–' : v.replace(/[\r\n\t]+/g, ' '));
const problemText = (p: RowProblem) => `${p.code}${p.line !== undefined ? ` (line ${p.line}${p.column !== undefined ? `:${p.column}` : ''})` : ''}: ${p.message}`;
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

/** The summary line: page, total, entries, users, active and inactive counts, problems and script time. */
export function previewSummaryLine(r: PreviewResult): string {
  const pages = r.total === null ? '' : ` of ${count(Math.max(1, Math.ceil(r.total / r.pageSize)))}`;
  const total = r.total === null ? 'total unknown' : `${count(r.total)} ${r.total === 1 ? 'match' : 'matches'}`;
  const s = r.summary;
  return (
    `Page ${r.page}${pages} (${total}): ${count(s.entries)} entries, ${count(s.users)} users, ` +
    `${count(s.active)} active, ${count(s.inactive)} inactive, ${count(s.errors)} with problems, scripts ${roundedCost(s.scriptMs)} ms\n`
  );
}

/**
 * A preview page as text: a table of rows (problems under it), the summary, script problems and
 * output, and the ldapsearch equivalent. `snapshot` names the snapshot the page was read from.
 */
export function formatPreview(r: PreviewResult, opts: { snapshot?: string } = {}): string {
  let out = opts.snapshot ? `Source: the snapshot "${opts.snapshot}" (the directory was not read)\n\n` : '';
  if (r.rows.length === 0) out += r.search === null ? 'No entries match the search filter.\n' : `No entry has the username "${r.search}".\n`;
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
  if (r.references) out += `${r.references.failsSync ? 'Warning: ' : 'Note: '}${r.references.message}\n`;
  const costs = SCRIPT_NAMES.filter((n) => r.costs[n] !== null).map((n) => `${SCRIPT_LABELS[n]} ${roundedCost(r.costs[n]!)} µs/entry`);
  if (costs.length) out += `Script cost: ${costs.join(', ')}\n`;
  for (const d of r.diagnostics) out += `${d.severity}: ${SCRIPT_LABELS[d.script]} script, line ${d.line}, column ${d.column}: ${d.message}\n`;
  if (r.logs.length) out += `\nScript output (console.log):\n${r.logs.map((l) => `  [${SCRIPT_LABELS[l.script]}] ${l.dn}: ${l.text}\n`).join('')}`;
  out += `\nEquivalent ldapsearch${opts.snapshot ? ' (on the live directory)' : ''}: ${r.ldapsearch}\n`;
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
