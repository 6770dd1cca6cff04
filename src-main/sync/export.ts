/** A run's plan as CSV (one row per change) or JSON (the run and its changes). */
import type { PlanChange, RunSummary } from '../../src-shared/domain/sync';

const COLUMNS = ['seq', 'username', 'action', 'from', 'to', 'reason', 'dn'] as const;

/** What starts a formula in Excel, LibreOffice or Google Sheets. */
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;
/** Separators spreadsheets split on, by locale and by guess: ours, the European `;`, tab, `|`, line ends. */
const ANY_SEPARATOR = /([,;\t|\r\n])([ ]*)(?=[=+\-@\uff1d\uff0b\uff0d\uff20])/g;

/**
 * One CSV field (RFC 4180), safe whatever separator a spreadsheet splits on. Directory data is
 * never trusted: a value that would start a formula (=, +, -, @, tab, CR, and their full-width
 * forms) gets a leading apostrophe, so does every piece of it after a `,` `;` tab `|` or line end (a `;`
 * locale reads `x;=cmd|...` as two cells), and any value with a separator or quote is quoted.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string') {
    if (FORMULA_START.test(s)) s = `'${s}`;
    s = s.replace(ANY_SEPARATOR, "$1$2'");
  }
  return /[",;\t|\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The plan's changes as CSV with a header row, CRLF line ends (RFC 4180). */
export function exportCsv(changes: Iterable<PlanChange>): string {
  const lines = [COLUMNS.join(',')];
  for (const c of changes) lines.push(COLUMNS.map((k) => csvField(c[k])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The run and every change as pretty JSON. */
export function exportJson(run: RunSummary, changes: Iterable<PlanChange>): string {
  return `${JSON.stringify({ run, changes: [...changes] }, null, 2)}\n`;
}
