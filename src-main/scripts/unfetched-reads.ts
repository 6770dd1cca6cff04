/**
 * What a simulation, a sync and the preview do with SCRIPT_UNFETCHED_ATTRIBUTE errors (a script
 * read an attribute that was not fetched, see sandbox-js/driver.js): the preview fetches the
 * attributes and evaluates again; a run stops, so that no user is changed on a value the script
 * never saw.
 */
import { SCRIPT_LABELS } from '../../src-shared/domain/mapping';
import type { ScriptErrorInfo } from '../../src-shared/domain/scripts';
import { AppError } from '../../src-shared/errors';

/** The first error of this kind among outcomes, or null. */
export function firstUnfetchedRead(outcomes: ReadonlyArray<{ errors: readonly ScriptErrorInfo[] }>): ScriptErrorInfo | null {
  for (const o of outcomes) for (const e of o.errors) if (e.code === 'SCRIPT_UNFETCHED_ATTRIBUTE') return e;
  return null;
}

/** The attributes reported as not fetched, each once, as the scripts spelled them. */
export function unfetchedAttributes(outcomes: ReadonlyArray<{ errors: readonly ScriptErrorInfo[] }>): string[] {
  const out = new Set<string>();
  for (const o of outcomes) for (const e of o.errors) if (e.code === 'SCRIPT_UNFETCHED_ATTRIBUTE' && e.attribute) out.add(e.attribute);
  return [...out];
}

/**
 * Throws SCRIPT_UNFETCHED_ATTRIBUTE (an AppError: the run fails, nothing is changed) when a script
 * read an attribute that was not fetched. `snapshot`: the name of the snapshot the run reads.
 */
export function failOnUnfetchedReads(outcomes: ReadonlyArray<{ errors: readonly ScriptErrorInfo[] }>, snapshot?: string | null): void {
  const e = firstUnfetchedRead(outcomes);
  if (!e) return;
  const label = SCRIPT_LABELS[e.script];
  const name = e.attribute ?? '?';
  const why = snapshot
    ? `no entry of snapshot "${snapshot}" holds it: it was not captured, or no entry has it. Simulate against the directory, or capture a snapshot that holds ${name}.`
    : `the analysis of the script did not find this read. Read it by a literal name (entry.${name} or entry.all('${name}')) so that it is fetched.`;
  throw new AppError('SCRIPT_UNFETCHED_ATTRIBUTE', `The ${label} script read the attribute ${name}, which was not fetched: ${why} The run stopped so that no user is changed on a value the script never saw.`);
}
