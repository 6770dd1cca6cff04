/**
 * The preview's evaluation of one page, fetching what the scripts read: when a script reads an
 * attribute that was not fetched (SCRIPT_UNFETCHED_ATTRIBUTE, see scripts/unfetched-reads.ts),
 * the page is fetched again with it and evaluated again, so the admin sees the right value. Each
 * attribute is added once; a source that cannot fetch more (a snapshot) leaves the errors on the rows.
 */
import type { ServerScripts } from '../../src-shared/domain/mapping';
import type { SourcePage } from '../directory/entry-source';
import type { EvaluationResult } from '../scripts/engine';
import type { ScriptRunner } from '../scripts/script-runner';
import { unfetchedAttributes } from '../scripts/unfetched-reads';
import type { GroupsOf } from '../scripts/wire';

/** Rounds of "fetch again" per page at most (each adds at least one attribute the scripts name literally). */
export const MAX_REFETCH_ROUNDS = 8;

/** Fetches the page again with these attributes added (spelled as the scripts read them). */
export type Refetch = (add: readonly string[]) => Promise<SourcePage>;

/** Evaluates the page (logs captured), fetching again as needed; the page the evaluation ran on. */
export async function evaluateFetching(
  engine: ScriptRunner,
  scripts: ServerScripts,
  page: SourcePage,
  opts: { refetch?: Refetch; withhold?: readonly string[]; groups?: GroupsOf } = {},
): Promise<{ evaluation: EvaluationResult; page: SourcePage }> {
  const add: string[] = [];
  const withhold = opts.withhold ?? [];
  const groups = opts.groups;
  let evaluation = await engine.evaluate(scripts, page.entries, { captureLogs: true, attributes: { withhold }, groups });
  for (let round = 0; opts.refetch && round < MAX_REFETCH_ROUNDS; round++) {
    const fresh = unfetchedAttributes(evaluation.outcomes).filter((a) => !add.includes(a));
    if (fresh.length === 0) break;
    add.push(...fresh);
    page = await opts.refetch(add);
    // What was fetched again is no longer withheld.
    const added = new Set(add.map((a) => a.toLowerCase()));
    evaluation = await engine.evaluate(scripts, page.entries, { captureLogs: true, attributes: { add, withhold: withhold.filter((w) => !added.has(w.toLowerCase())) }, groups });
  }
  return { evaluation, page };
}

/** A fetch list with names added (none twice, whatever their case); '*' already has every user attribute. */
export function withNames(attributes: string[] | '*', add: readonly string[]): string[] | '*' {
  if (attributes === '*') return attributes;
  const have = new Set(attributes.map((a) => a.toLowerCase()));
  return [...attributes, ...add.filter((a) => !have.has(a.toLowerCase()))];
}
