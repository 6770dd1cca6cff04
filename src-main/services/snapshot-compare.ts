/**
 * Comparing a snapshot with the live directory, entry by entry. Entries are matched the way a sync
 * matches users: by directory ID first (entryUUID, objectGUID, nsUniqueId, ipaUniqueID), by DN for
 * entries without one; so a rename or an OU move shows as `renamed`, not as removed + added. An entry
 * under a known DN with another ID of the same kind is a different entry (deleted and re-created):
 * removed + added. Directory IDs themselves are not compared as attributes.
 */
import { VALUE_CHANGE_LIMITS, type SnapshotComparison, type SnapshotDifference, type ValueChange } from '../../src-shared/domain/snapshot';
import { normalizeDn } from '../../src-shared/ldap/dn';
import type { DirectoryEntry } from '../directory/entry';
import { DIRECTORY_ID_ATTRIBUTES, directoryIdOf } from '../sync/directory-id';
import { isReusedUsername } from '../sync/plan/reused-username';

/** The most differences a comparison lists (the counts cover them all). */
export const MAX_DIFFERENCES = 1000;

const ID_NAMES = new Set(DIRECTORY_ID_ATTRIBUTES.map((a) => a.toLowerCase()));

/** A DN as a key: spelling differences (case, spaces, escapes) compare equal. */
const dnKey = (dn: string) => (normalizeDn(dn) ?? dn).toLowerCase();

/** Attribute name (lower-case) -> its sorted values as one string; directory IDs left out. */
function digest(attributes: Record<string, readonly string[]>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(attributes)) {
    const name = k.toLowerCase();
    if (!ID_NAMES.has(name)) m.set(name, JSON.stringify([...v].sort()));
  }
  return m;
}

/** Old -> new values of the changed attributes, bounded so a thousand differences stay small. */
function valueChanges(before: Map<string, string>, after: Map<string, string>, changed: readonly string[]): ValueChange[] {
  const cut = (v: string) => (v.length > VALUE_CHANGE_LIMITS.chars ? `${v.slice(0, VALUE_CHANGE_LIMITS.chars)}…` : v);
  return changed.slice(0, VALUE_CHANGE_LIMITS.attributes).map((attribute) => {
    const b = JSON.parse(before.get(attribute) ?? '[]') as string[];
    const a = JSON.parse(after.get(attribute) ?? '[]') as string[];
    // Values on both sides did not change: show only what was removed and what was added.
    const kept = new Set(b.filter((v) => a.includes(v)));
    const gone = b.filter((v) => !kept.has(v));
    const added = a.filter((v) => !kept.has(v));
    const more = Math.max(0, gone.length - VALUE_CHANGE_LIMITS.values) + Math.max(0, added.length - VALUE_CHANGE_LIMITS.values);
    return { attribute, before: gone.slice(0, VALUE_CHANGE_LIMITS.values).map(cut), after: added.slice(0, VALUE_CHANGE_LIMITS.values).map(cut), more };
  });
}

interface Before {
  dn: string;
  id: string | null;
  attrs: Map<string, string>;
}

/** Feed it the snapshot's entries, then the live ones; `result()` gives the comparison. */
export class SnapshotComparer {
  private readonly before = new Map<string, Before>();
  private readonly byId = new Map<string, string>();
  private readonly seen = new Set<string>();
  private readonly out: SnapshotComparison = { added: 0, removed: 0, changed: 0, renamed: 0, unchanged: 0, matchedBy: null, differences: [] };

  /** Adds an entry of the snapshot. */
  addBefore(e: DirectoryEntry): void {
    const key = dnKey(e.dn);
    const id = directoryIdOf(e);
    this.before.set(key, { dn: e.dn, id, attrs: digest(e.attributes) });
    if (id !== null) this.byId.set(id, key);
  }

  /** Compares a live entry with its snapshot entry, if any. */
  addLive(e: DirectoryEntry): void {
    const key = dnKey(e.dn);
    const id = directoryIdOf(e);
    let oldKey = id === null ? undefined : this.byId.get(id);
    if (oldKey !== undefined && this.out.matchedBy === null) this.out.matchedBy = id!.slice(0, id!.indexOf(':'));
    if (oldKey === undefined) {
      const atDn = this.before.get(key);
      // The same DN is the same entry unless both have IDs of one kind that differ (re-created).
      if (atDn && !isReusedUsername(id, atDn.id)) oldKey = key;
    }
    if (oldKey === undefined || this.seen.has(oldKey)) {
      this.out.added++;
      this.note({ dn: e.dn, kind: 'added', attributes: [] });
      return;
    }
    this.seen.add(oldKey);
    const old = this.before.get(oldKey)!;
    const now = digest(e.attributes);
    const changed: string[] = [];
    for (const [k, v] of old.attrs) if (now.get(k) !== v) changed.push(k);
    for (const k of now.keys()) if (!old.attrs.has(k)) changed.push(k);
    changed.sort();
    const listed = () => this.out.differences.length < MAX_DIFFERENCES;
    if (oldKey !== key) {
      this.out.renamed++;
      if (listed()) this.note({ dn: e.dn, kind: 'renamed', attributes: changed, fromDn: old.dn, values: valueChanges(old.attrs, now, changed) });
    } else if (changed.length) {
      this.out.changed++;
      if (listed()) this.note({ dn: e.dn, kind: 'changed', attributes: changed, values: valueChanges(old.attrs, now, changed) });
    } else this.out.unchanged++;
  }

  /** The comparison: the snapshot's entries not found live are removed. */
  result(): SnapshotComparison {
    for (const [key, old] of this.before) {
      if (this.seen.has(key)) continue;
      this.out.removed++;
      this.note({ dn: old.dn, kind: 'removed', attributes: [] });
    }
    this.seen.clear();
    this.before.clear();
    return this.out;
  }

  private note(d: SnapshotDifference): void {
    if (this.out.differences.length < MAX_DIFFERENCES) this.out.differences.push(d);
  }
}
