/** A run's plan as CSV (one row per change) or JSON (the run and its changes). */
import type { PlanChange, RunSummary } from '../../src-shared/domain/sync';

const COLUMNS = ['seq', 'username', 'action', 'from', 'to', 'reason', 'dn'] as const;

/**
 * One CSV field (RFC 4180). A value a spreadsheet would run as a formula (=, +, -, @, tab, CR)
 * gets a leading apostrophe: directory data is never trusted.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function exportCsv(changes: Iterable<PlanChange>): string {
  const lines = [COLUMNS.join(',')];
  for (const c of changes) lines.push(COLUMNS.map((k) => csvField(c[k])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function exportJson(run: RunSummary, changes: Iterable<PlanChange>): string {
  return `${JSON.stringify({ run, changes: [...changes] }, null, 2)}\n`;
}
