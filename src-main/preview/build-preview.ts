import type { AttributeMapping, ServerScripts } from '../../src-shared/domain/mapping';
import type { MissingNames, PreviewResult, PreviewRow, PreviewSummary, UsernameMatch } from '../../src-shared/domain/preview';
import type { ScriptLog } from '../../src-shared/domain/scripts';
import type { ScriptRunner } from '../scripts/script-runner';
import { buildRows, usernamesOfPages } from './build-rows';
import type { CachedPage, SourcePage } from '../directory/entry-source';
import { evaluateFetching, type Refetch } from './evaluate-fetching';
import type { GroupsOf } from '../scripts/wire';
import { sortedNames } from '../directory/attribute-names';
import { collapseScriptFailures } from './script-failures';
import { attributeSamples } from './attribute-samples';
import { nameKey } from '../store/name-key';

/** The most `console.log` lines one preview page returns. */
export const MAX_PREVIEW_LOGS = 500;

/** Everything {@link buildPreview} works from. */
export interface BuildPreviewInput {
  engine: ScriptRunner;
  scripts: ServerScripts;
  mapping: AttributeMapping;
  usernameAttribute: string;
  page: number;
  pageSize: number;
  search: string | null;
  /** How the username search matched (default 'exact'). */
  match?: UsernameMatch;
  /** Keep only the rows with problems (the summary still counts every row of the page). */
  problemsOnly?: boolean;
  source: SourcePage;
  /** Other pages of the same search the source still holds (duplicate usernames across pages). */
  otherPages?: readonly CachedPage[];
  /** Name keys of the stored organizations and roles. */
  organizations: ReadonlySet<string>;
  roles: ReadonlySet<string>;
  /** Fetches the page again with attributes the scripts read but were not fetched (live sources; see evaluate-fetching.ts). */
  refetch?: Refetch;
  /** Attributes the source does not hold (a snapshot's): reading one is an error on the row, not `undefined`. */
  withhold?: readonly string[];
  /** The entries' group memberships, for scripts that use the `groups` helpers. */
  groups?: GroupsOf;
}

/** True for a row with at least one problem that is not a warning. */
export const hasError = (r: PreviewRow) => r.errors.some((p) => p.severity !== 'warning');

/** Counts for the summary line: `errors` counts rows with at least one error, `warnings` rows with warnings only. */
export function summarize(rows: readonly PreviewRow[], entries: number, scriptMs: number): PreviewSummary {
  return {
    entries,
    users: rows.filter((r) => r.username !== null).length,
    active: rows.filter((r) => r.active === true).length,
    inactive: rows.filter((r) => r.active === false).length,
    errors: rows.filter(hasError).length,
    warnings: rows.filter((r) => r.errors.length > 0 && !hasError(r)).length,
    scriptMs: Math.round(scriptMs * 100) / 100,
  };
}

/**
 * One preview page: the scripts evaluated over the page's entries (one engine call, logs
 * captured), one row per username value with its problems, the summary, per-script costs, the
 * attribute names seen and the scripts' diagnostics. Reads and writes nothing itself.
 */
export async function buildPreview(input: BuildPreviewInput): Promise<PreviewResult> {
  const { engine, scripts } = input;
  const diagnostics = await engine.check(scripts);
  const { evaluation, page: source } = await evaluateFetching(engine, scripts, input.source, { refetch: input.refetch, withhold: input.withhold, groups: input.groups });
  const allRows = buildRows(source.entries, evaluation.outcomes, {
    usernameAttribute: input.usernameAttribute,
    mapping: input.mapping,
    organizations: input.organizations,
    roles: input.roles,
    otherPages: input.otherPages ? usernamesOfPages(input.otherPages, input.usernameAttribute, input.page) : undefined,
  });
  // A script that does not compile fails alike on every entry: said once, not on each row.
  const scriptFailures = collapseScriptFailures(allRows, diagnostics, source.entries.length);
  const rows = input.problemsOnly ? allRows.filter((r) => r.errors.length > 0) : allRows;
  const logs: ScriptLog[] = [];
  for (const o of evaluation.outcomes) {
    for (const l of o.logs) if (logs.length < MAX_PREVIEW_LOGS) logs.push(l);
  }
  const seen = source.entries.flatMap((e) => Object.keys(e.attributes));
  return {
    total: source.total,
    page: input.page,
    pageSize: input.pageSize,
    hasMore: source.hasMore,
    rows,
    problemsOnly: input.problemsOnly ?? false,
    summary: summarize(allRows, source.entries.length, evaluation.totalMs),
    readAt: new Date(source.readAt ?? Date.now()).toISOString(),
    scriptFailures,
    missing: missingNames(allRows),
    costs: evaluation.costs,
    attributes: sortedNames([...source.attributeNames, ...seen]),
    attributeSamples: attributeSamples(source.entries),
    logs,
    diagnostics,
    search: input.search,
    match: input.match ?? 'exact',
    filter: source.filter,
    ldapsearch: source.ldapsearch,
    references: source.references ?? null,
  };
}

/** The organization and role names the rows' warnings name, each once (first spelling, names compared as the store does), in page order. */
export function missingNames(rows: readonly PreviewRow[]): MissingNames {
  const found = { organizations: new Map<string, string>(), roles: new Map<string, string>() };
  for (const r of rows) {
    for (const p of r.errors) {
      if (p.name === undefined) continue;
      const into = p.code === 'UNKNOWN_ORG' ? found.organizations : p.code === 'UNKNOWN_ROLE' ? found.roles : null;
      if (into && !into.has(nameKey(p.name))) into.set(nameKey(p.name), p.name);
    }
  }
  return { organizations: [...found.organizations.values()], roles: [...found.roles.values()] };
}
