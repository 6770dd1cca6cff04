import { SCRIPT_LABELS, SCRIPT_NAMES } from '../../src-shared/domain/mapping';
import type { PreviewResult, RowProblem } from '../../src-shared/domain/preview';
import { table } from './format-server';

const cell = (v: string | null) => (v === null || v === '' ? '–' : v.replace(/[\r\n\t]+/g, ' '));
const problemText = (p: RowProblem) => `${p.code}${p.line !== undefined ? ` (line ${p.line}${p.column !== undefined ? `:${p.column}` : ''})` : ''}: ${p.message}`;
const count = (n: number) => n.toLocaleString('en-US');

/** The summary line: page, total, entries, users, active and inactive counts, problems and script time. */
export function previewSummaryLine(r: PreviewResult): string {
  const pages = r.total === null ? '' : ` of ${count(Math.max(1, Math.ceil(r.total / r.pageSize)))}`;
  const total = r.total === null ? 'total unknown' : `${count(r.total)} ${r.total === 1 ? 'match' : 'matches'}`;
  const s = r.summary;
  return (
    `Page ${r.page}${pages} (${total}): ${count(s.entries)} entries, ${count(s.users)} users, ` +
    `${count(s.active)} active, ${count(s.inactive)} inactive, ${count(s.errors)} with problems, scripts ${s.scriptMs} ms\n`
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
  const costs = SCRIPT_NAMES.filter((n) => r.costs[n] !== null).map((n) => `${SCRIPT_LABELS[n]} ${r.costs[n]} µs/entry`);
  if (costs.length) out += `Script cost: ${costs.join(', ')}\n`;
  for (const d of r.diagnostics) out += `${d.severity}: ${SCRIPT_LABELS[d.script]} script, line ${d.line}, column ${d.column}: ${d.message}\n`;
  if (r.logs.length) out += `\nScript output (console.log):\n${r.logs.map((l) => `  [${SCRIPT_LABELS[l.script]}] ${l.dn}: ${l.text}\n`).join('')}`;
  out += `\nEquivalent ldapsearch${opts.snapshot ? ' (on the live directory)' : ''}: ${r.ldapsearch}\n`;
  return out;
}
