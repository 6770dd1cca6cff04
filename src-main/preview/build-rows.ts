import type { AttributeMapping } from '../../src-shared/domain/mapping';
import { SCRIPT_LABELS } from '../../src-shared/domain/mapping';
import type { PreviewRow, RowProblem } from '../../src-shared/domain/preview';
import type { ScriptErrorInfo } from '../../src-shared/domain/scripts';
import type { DirectoryEntry } from '../directory/entry';
import type { ScriptOutcome } from '../scripts/engine';
import { nameKey } from '../store/name-key';
import { valuesByName } from '../directory/entry';
import { SCRIPT_LIMIT_ENV } from '../scripts/limits-from-env';
import { TIME_LIMIT_HINT } from '../scripts/messages';

/** What rows are checked against. */
export interface RowContext {
  usernameAttribute: string;
  mapping: AttributeMapping;
  /** Name keys (see `nameKey`) of the stored organizations and roles. */
  organizations: ReadonlySet<string>;
  roles: ReadonlySet<string>;
  /** Lower-cased usernames found on other cached pages of the same search -> the first such page. */
  otherPages?: ReadonlyMap<string, number>;
}

/** Where the script time limit is set (the engine's timeout messages name it too). */
export { TIME_LIMIT_HINT };

/** A script failure as a row problem, its message naming the script (and, for a timeout, the setting that raises the limit). */
export function scriptProblem(e: ScriptErrorInfo): RowProblem {
  const label = SCRIPT_LABELS[e.script];
  let message = e.message.toLowerCase().includes(label.toLowerCase()) ? e.message : `${label} script: ${e.message}`;
  if (e.code === 'SCRIPT_TIMEOUT' && !message.includes(SCRIPT_LIMIT_ENV.timeMs)) message += ` To allow longer, ${TIME_LIMIT_HINT}.`;
  const p: RowProblem = { code: e.code, message, script: e.script };
  if (e.line !== undefined) p.line = e.line;
  if (e.column !== undefined) p.column = e.column;
  return p;
}

const first = (entry: DirectoryEntry, name: string): string | null => valuesByName(entry, name).find((v) => v !== '') ?? null;

function entryProblems(outcome: ScriptOutcome, ctx: RowContext): RowProblem[] {
  const problems = outcome.errors.map(scriptProblem);
  if (outcome.org !== null && !ctx.organizations.has(nameKey(outcome.org))) {
    problems.push({ code: 'UNKNOWN_ORG', severity: 'warning', name: outcome.org, message: `No organization is named "${outcome.org}" yet: create it, or a sync cannot place this user`, script: 'orgName' });
  }
  for (const role of outcome.roles) {
    if (!ctx.roles.has(nameKey(role))) problems.push({ code: 'UNKNOWN_ROLE', severity: 'warning', name: role, message: `No role is named "${role}" yet: create it, or a sync cannot give this role`, script: 'roleName' });
  }
  return problems;
}

/**
 * The would-be users of a page: one row per value of the username attribute (grouped by
 * `entryIndex`), one row flagged MISSING_USERNAME for an entry without one. Each row carries its
 * own problems, so one broken entry never hides the others; `org` and `roles` hold what the
 * scripts returned even when no such organization or role exists.
 */
export function buildRows(entries: readonly DirectoryEntry[], outcomes: readonly ScriptOutcome[], ctx: RowContext): PreviewRow[] {
  const rows: PreviewRow[] = [];
  entries.forEach((entry, entryIndex) => {
    const outcome = outcomes[entryIndex] ?? { active: null, org: null, roles: [], errors: [], logs: [] };
    const email = ctx.mapping.email === '' ? null : first(entry, ctx.mapping.email);
    const base = {
      dn: entry.dn,
      entryIndex,
      email,
      firstName: ctx.mapping.firstName === '' ? null : first(entry, ctx.mapping.firstName),
      lastName: ctx.mapping.lastName === '' ? null : first(entry, ctx.mapping.lastName),
      active: outcome.active,
      org: outcome.org,
      roles: [...outcome.roles],
    };
    const shared = entryProblems(outcome, ctx);
    if (email === null) {
      // The sync's rule (sync/plan/decide-new.ts): a new user needs an email.
      const why = ctx.mapping.email === '' ? 'Email is not mapped to an attribute, so a sync creates no new user' : `No email: the entry has no "${ctx.mapping.email}" value, so a sync creates no new user for it`;
      shared.unshift({ code: 'MISSING_EMAIL', message: why });
    }
    const usernames = valuesByName(entry, ctx.usernameAttribute).filter((v) => v !== '');
    if (usernames.length === 0) {
      const problem: RowProblem = { code: 'MISSING_USERNAME', message: `No username: the entry has no "${ctx.usernameAttribute}" value, so it gives no user` };
      rows.push({ ...base, username: null, errors: [problem, ...shared] });
      return;
    }
    for (const username of usernames) rows.push({ ...base, roles: [...base.roles], username, errors: shared.map((p) => ({ ...p })) });
  });
  flagDuplicates(rows, ctx.otherPages);
  return rows;
}

/** Adds DUPLICATE_USERNAME to rows whose username (ignoring case) occurs twice on the page or on another cached page. */
function flagDuplicates(rows: PreviewRow[], otherPages?: ReadonlyMap<string, number>): void {
  const counts = new Map<string, number>();
  for (const r of rows) if (r.username !== null) counts.set(r.username.toLowerCase(), (counts.get(r.username.toLowerCase()) ?? 0) + 1);
  for (const r of rows) {
    if (r.username === null) continue;
    const key = r.username.toLowerCase();
    const n = counts.get(key) ?? 0;
    const elsewhere = otherPages?.get(key);
    if (n > 1) r.errors.push({ code: 'DUPLICATE_USERNAME', message: `The username "${r.username}" occurs ${n} times on this page` });
    else if (elsewhere !== undefined) r.errors.push({ code: 'DUPLICATE_USERNAME', message: `The username "${r.username}" also occurs on page ${elsewhere}` });
  }
}

/** Lower-cased usernames of other pages -> the first page holding each, for {@link RowContext.otherPages}. */
export function usernamesOfPages(pages: readonly { page: number; entries: readonly DirectoryEntry[] }[], usernameAttribute: string, except: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of pages) {
    if (p.page === except) continue;
    for (const e of p.entries) {
      for (const v of valuesByName(e, usernameAttribute)) if (v !== '' && !out.has(v.toLowerCase())) out.set(v.toLowerCase(), p.page);
    }
  }
  return out;
}
