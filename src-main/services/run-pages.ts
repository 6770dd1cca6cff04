/**
 * A run's pages on their way from the entry source to the planner: scripts evaluated (once per
 * distinct set of read values when they allow it, scripts/outcome-memo.ts), a read of an attribute
 * that was not fetched failing the run, and pages added to the planner in page order whatever order
 * their evaluations end in. Live pages come as columns (src-main/ldap/ldap-columns.ts); a snapshot's
 * entry objects are seen as the same columns.
 */
import type { AttributeMapping, ServerScripts } from '../../src-shared/domain/mapping';
import { columnsOfEntries, type ColumnPage } from '../directory/column-page';
import type { EntryInput } from '../scripts/engine';
import type { ScriptOutcome } from '../scripts/evaluation';
import type { GroupsOf } from '../scripts/wire';
import { OutcomeMemo } from '../scripts/outcome-memo';
import { memoBlocker } from '../scripts/pure-scripts';
import type { ScriptRunner } from '../scripts/script-runner';
import { failOnUnfetchedReads } from '../scripts/unfetched-reads';
import { analyzeScripts } from '../scripts/used-attributes';
import { plannerReadNames } from '../sync/plan/collected-entries';
import type { Planner } from '../sync/planner';

/** What a run's pages need. */
export interface RunPagesOptions {
  scripts: ServerScripts;
  /** The attributes the run fetches ('*' and '+' for a dynamic plan: entries are then passed on whole). */
  attributes: readonly string[];
  dynamic: boolean;
  usernameAttribute: string;
  mapping: AttributeMapping;
  engine: Promise<ScriptRunner>;
  /** The group memberships, when the scripts use `groups`. */
  groups: Promise<{ of: GroupsOf }> | null;
  planner: Promise<Planner>;
  signal: AbortSignal;
  /** Attributes a snapshot holds for no entry (never passed in, see PlanAttributes.withhold). */
  withhold: readonly string[];
  /** The snapshot read, for the unfetched-attribute error (null: the live directory). */
  snapshotName: string | null;
  /** After each page is planned: pages and entries so far. */
  onPlanned(pages: number, entries: number): void;
}

/** The run's page handlers: `columns` for a source that gives column pages, `onPage` for entry objects. */
export function runPages(o: RunPagesOptions): {
  columns: { names: string[]; onPage(page: ColumnPage): Promise<void> } | undefined;
  onPage(page: EntryInput[]): Promise<void>;
} {
  const memo = memoBlocker(o.scripts) === null ? new OutcomeMemo(analyzeScripts(o.scripts).names) : null;
  const evaluatePage = async (page: ColumnPage): Promise<ScriptOutcome[]> => {
    const engine = await o.engine;
    const closure = o.groups ? await o.groups : null;
    const groups = closure ? (dn: string) => closure.of(dn) : undefined;
    const evaluate = async (some: EntryInput[]) => (await engine.evaluate(o.scripts, some, { signal: o.signal, attributes: { withhold: o.withhold }, groups })).outcomes;
    return memo ? memo.evaluatePage(page, evaluate) : evaluate(Array.from({ length: page.count }, (_, i) => page.entry(i)));
  };
  let pages = 0;
  let entries = 0;
  let lastPage: Promise<void> = Promise.resolve();
  const onColumns = (page: ColumnPage): Promise<void> => {
    const evaluated = evaluatePage(page);
    evaluated.catch(() => {}); // awaited below
    const before = lastPage;
    const done = (async () => {
      const outcomes = await evaluated;
      await before;
      failOnUnfetchedReads(outcomes, o.snapshotName);
      (await o.planner).addColumns(page, outcomes);
      pages++;
      entries += page.count;
      o.onPlanned(pages, entries);
    })();
    lastPage = done.catch(() => {});
    return done;
  };
  // The columns: the attributes fetched, lower-cased; entry objects are seen with the planner's too.
  const names = [...new Set((o.dynamic ? [] : o.attributes).map((a) => a.toLowerCase()))];
  const entryNames = [...new Set([...names, ...plannerReadNames(o.usernameAttribute, o.mapping)])];
  return {
    columns: o.dynamic ? undefined : { names, onPage: onColumns },
    onPage: (page) => onColumns(columnsOfEntries(page, entryNames)),
  };
}
