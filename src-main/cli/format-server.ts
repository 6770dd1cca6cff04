import type { LastTest, ServerView } from '../../src-shared/domain/server';

/** A timestamp as `2025-01-31 14:05 UTC`. */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Where a server's bind password comes from, in a few words. */
export function passwordSource(s: ServerView): string {
  if (s.bindAnonymously) return 'anonymous bind';
  switch (s.password.kind) {
    case 'keychain':
      return 'OS keychain';
    case 'env':
      return `env ${s.password.name}`;
    case 'file':
      return `file ${s.password.path}`;
    case 'none':
      return s.passwordClearedAt ? `none (cleared ${shortTime(s.passwordClearedAt)})` : 'none';
  }
}

/** The last connection test in one line: reachable, bind, matches and when. */
export function lastTestSummary(t: LastTest | null): string {
  if (!t) return 'never tested';
  const matches = t.matches === null ? 'matches –' : `${t.matches.toLocaleString('en-US')} ${t.matches === 1 ? 'match' : 'matches'}`;
  return `${t.reachable ? 'reachable' : 'unreachable'}, ${t.bindable ? 'bind ok' : 'bind failed'}, ${matches} (${shortTime(t.at)})`;
}

/** Lays rows out as left-aligned columns separated by two spaces. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell + ' '.repeat(widths[c] - [...cell].length))).join('  ').trimEnd()).join('\n') + '\n';
}
