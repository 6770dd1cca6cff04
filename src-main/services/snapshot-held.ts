/**
 * Which attributes a snapshot holds. A snapshot does not record the attribute list its capture
 * asked for, so an attribute that no entry holds counts as not captured: a script reading it over
 * the snapshot gets SCRIPT_UNFETCHED_ATTRIBUTE instead of a silent `undefined` (the safe side: at
 * worst a simulation stops that would have been right).
 */
import type Database from 'better-sqlite3';
import { snapshotEntries } from '../store/snapshots-repo';

/** Answers kept per snapshot and name set: a ready snapshot never changes, and the preview asks on every refresh. */
const answers = new Map<string, string[]>();
const MAX_ANSWERS = 64;

/** Of `names`, those that no entry of the snapshot holds (case-insensitive); reading stops once each was found. */
export function namesNoEntryHolds(db: Database.Database, snapshotId: string, names: readonly string[]): string[] {
  const missing = new Map(names.map((n) => [n.toLowerCase(), n]));
  if (missing.size === 0) return [];
  const key = JSON.stringify([snapshotId, ...missing.keys()]);
  const known = answers.get(key);
  if (known) return known.map((n) => missing.get(n)!);
  for (const entry of snapshotEntries(db, snapshotId)) {
    for (const name in entry.attributes) if (entry.attributes[name].length > 0) missing.delete(name.toLowerCase());
    if (missing.size === 0) break;
  }
  if (answers.size >= MAX_ANSWERS) answers.delete(answers.keys().next().value!);
  answers.set(key, [...missing.keys()]);
  return [...missing.values()];
}
