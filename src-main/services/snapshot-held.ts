/**
 * Which attributes a snapshot holds. A snapshot does not record the attribute list its capture
 * asked for, so an attribute that no entry holds counts as not captured: a script reading it over
 * the snapshot gets SCRIPT_UNFETCHED_ATTRIBUTE instead of a silent `undefined` (the safe side: at
 * worst a simulation stops that would have been right).
 */
import type Database from 'better-sqlite3';
import { snapshotEntries } from '../store/snapshots-repo';

/** Of `names`, those that no entry of the snapshot holds (case-insensitive); reading stops once each was found. */
export function namesNoEntryHolds(db: Database.Database, snapshotId: string, names: readonly string[]): string[] {
  const missing = new Map(names.map((n) => [n.toLowerCase(), n]));
  if (missing.size === 0) return [];
  for (const entry of snapshotEntries(db, snapshotId)) {
    for (const key in entry.attributes) if (entry.attributes[key].length > 0) missing.delete(key.toLowerCase());
    if (missing.size === 0) break;
  }
  return [...missing.values()];
}
