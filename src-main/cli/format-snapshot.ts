import type { SnapshotComparison, SnapshotView } from '../../src-shared/domain/snapshot';
import { shortTime, table } from './format-server';
import { formatDuration } from './format-sync';
import { TEXT_DIFFERENCE_LIMIT } from './text-limits';

const count = (n: number) => n.toLocaleString('en-US');
const cell = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '–' : v.replace(/[\r\n\t]+/g, ' '));

export { TEXT_DIFFERENCE_LIMIT };

/** Where a snapshot came from, in a few words: `capture`, `capture (used attributes)`, `LDIF people.ldif`, `sample`. */
export function originText(s: SnapshotView): string {
  if (s.origin === 'capture') return s.attributes === 'used' ? 'capture (used attributes)' : 'capture';
  if (s.origin === 'ldif') return s.fileName ? `LDIF ${s.fileName}` : 'LDIF';
  return 'sample';
}

/** The snapshots of `snapshot list` as a table. */
export function snapshotsTable(list: readonly SnapshotView[]): string {
  return table([
    ['NAME', 'ORIGIN', 'ENTRIES', 'SERVER', 'BASE', 'FILTER', 'CAPTURED', 'USED BY'],
    ...list.map((s) => [s.name, originText(s), count(s.entries), cell(s.serverName), cell(s.baseDn), cell(s.filter), shortTime(s.capturedAt), s.usedBy.length ? s.usedBy.join(', ') : '–']),
  ]);
}

/** One snapshot in a line: `"Corp 2025-01-31" (capture of Corp, 1,200 entries, 2025-01-31 14:05 UTC)`. */
export function snapshotLine(s: SnapshotView): string {
  const of = s.origin === 'capture' && s.serverName ? `capture of ${s.serverName}${s.attributes === 'used' ? ', used attributes' : ''}` : originText(s);
  return `"${s.name}" (${of}, ${count(s.entries)} ${s.entries === 1 ? 'entry' : 'entries'}, ${shortTime(s.capturedAt)})`;
}

/** What a capture, an import or a comparison reports while it runs. */
export interface SnapshotProgressUpdate {
  phase: 'connecting' | 'capturing' | 'importing' | 'comparing' | 'done';
  entries: number;
  pages: number;
  expected: number | null;
  /** Milliseconds since the start. */
  elapsedMs: number;
}

const VERBS: Record<SnapshotProgressUpdate['phase'], string> = { connecting: 'Connecting', capturing: 'Capturing', importing: 'Importing', comparing: 'Comparing', done: 'Done' };

/** One line of snapshot progress: `Capturing: page 3, 2,400 entries, 1,850 entries/s`. */
export function snapshotProgressLine(p: SnapshotProgressUpdate): string {
  const rate = p.elapsedMs > 0 ? `, ${count(Math.round((p.entries * 1000) / p.elapsedMs))} entries/s` : '';
  if (p.phase === 'connecting') return 'Connecting to the directory…';
  if (p.phase === 'done') return `Done: ${count(p.entries)} entries in ${formatDuration(p.elapsedMs)}`;
  const of = p.expected !== null ? ` of ${count(p.expected)}` : '';
  const page = p.phase === 'importing' ? '' : `page ${count(p.pages)}, `;
  return `${VERBS[p.phase]}: ${page}${count(p.entries)}${of} entries${rate}`;
}

/** A comparison as text: the counts and how entries were matched, then the first differences (a renamed entry: `old DN -> new DN`) and their changed values. */
export function formatComparison(snapshot: SnapshotView, serverName: string, c: SnapshotComparison): string {
  let out = `Compared the snapshot ${snapshotLine(snapshot)} with the directory of "${serverName}":\n`;
  const renamed = c.renamed ?? 0;
  out += `  ${count(c.added)} added, ${count(c.removed)} removed, ${count(c.changed)} changed, ${count(renamed)} renamed, ${count(c.unchanged)} unchanged\n`;
  out += c.matchedBy
    ? `  Entries matched by ${c.matchedBy} (by DN where an entry has none): a renamed or moved entry is "renamed".\n`
    : '  Entries matched by DN: the snapshot holds no directory IDs, so a renamed entry shows as removed and added.\n';
  const total = c.added + c.removed + c.changed + renamed;
  if (total === 0) return `${out}\nNo differences: the directory still matches the snapshot.\n`;
  const shown = c.differences.slice(0, TEXT_DIFFERENCE_LIMIT);
  out += `\n${shown.length < total ? `First ${count(shown.length)} of ${count(total)} differences:` : `Differences (${count(total)}):`}\n`;
  out += table([['KIND', 'DN', 'ATTRIBUTES'], ...shown.map((d) => [d.kind, cell(d.fromDn !== undefined ? `${d.fromDn} -> ${d.dn}` : d.dn), d.attributes.length ? d.attributes.join(', ') : '–'])]);
  if (shown.length < total) out += `... and ${count(total - shown.length)} more (--json lists the first ${count(c.differences.length)})\n`;
  const withValues = shown.filter((d) => d.values?.length);
  if (withValues.length) {
    out += '\nChanged values (snapshot -> live):\n';
    const side = (vs: readonly string[]) => (vs.length ? vs.map((v) => cell(v)).join(', ') : '(none)');
    for (const d of withValues) {
      out += `  ${cell(d.dn)}\n`;
      for (const v of d.values!) out += `    ${v.attribute}: ${side(v.before)} -> ${side(v.after)}${v.more ? ` (and ${count(v.more)} more)` : ''}\n`;
    }
  }
  return out;
}
