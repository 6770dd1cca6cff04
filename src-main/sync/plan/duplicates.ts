/**
 * Rule: a username returned by more than one entry gives an error for each of them, and its user
 * is left as is (neither matched, nor created, nor deactivated as missing).
 */
import type { ManagedUsers } from '../../store/managed-users';
import type { CollectedEntries } from './collected-entries';
import type { Matches } from './matches';
import { runAll, SLICE_MASK, type Steps } from './slices';

/** The username keys returned by more than one entry, with the DNs of those entries. */
export class Duplicates {
  /** The DNs of the entries of each duplicated key, in entry order. */
  private readonly dns = new Map<string, string[]>();

  constructor(readonly keys: ReadonlySet<string>) {}

  /** The key is returned by several entries. */
  has(k: string): boolean {
    return this.keys.size > 0 && this.keys.has(k);
  }

  /** The DNs of the entries that return `k` (a duplicated key). */
  entriesOf(k: string): readonly string[] {
    return this.dns.get(k)!;
  }

  /** @internal */
  addEntry(k: string, dn: string): void {
    const list = this.dns.get(k);
    if (list) list.push(dn);
    else this.dns.set(k, [dn]);
  }
}

/**
 * Finds the usernames returned by several entries. Compact entries are counted per user (their key
 * is their user's), the others by key: one hash operation per key (a first sync has 100k of them).
 */
export function findDuplicates(entries: CollectedEntries, users: ManagedUsers, byKey: ReadonlyMap<string, number>): Duplicates {
  return runAll(findDuplicatesInSlices(entries, users, byKey));
}

/** {@link findDuplicates} in slices (see slices.ts). */
export function* findDuplicatesInSlices(entries: CollectedEntries, users: ManagedUsers, byKey: ReadonlyMap<string, number>): Steps<Duplicates> {
  const n = entries.length;
  const compactCount = new Uint8Array(users.length);
  const keys = new Set<string>();
  const once = new Set<string>();
  const countKey = (k: string) => {
    const before = once.size;
    if (once.add(k).size === before) keys.add(k);
  };
  for (let i = 0; i < n; i++) {
    if ((i & SLICE_MASK) === SLICE_MASK) yield;
    const ref = entries.compactUser(i);
    if (ref >= 0) {
      if (compactCount[ref] < 2) compactCount[ref]++;
      continue;
    }
    const k = entries.fullKeys(i);
    if (k === null) continue;
    if (typeof k === 'string') countKey(k);
    else for (const x of k) countKey(x);
  }
  const userKeys = users.usernameKey;
  for (let u = 0; u < users.length; u++) if (compactCount[u] >= 2) keys.add(userKeys[u]);
  if (compactCount.length > 0) {
    let seen = 0;
    for (const k of once) {
      if ((++seen & SLICE_MASK) === 0) yield;
      const u = byKey.get(k);
      if (u !== undefined && compactCount[u] > 0) keys.add(k);
    }
  }
  once.clear();
  const duplicates = new Duplicates(keys);
  if (keys.size) {
    for (let i = 0; i < n; i++) {
      if ((i & SLICE_MASK) === SLICE_MASK) yield;
      for (let j = 0, c = entries.nameCount(i); j < c; j++) {
        const k = entries.keyAt(i, j);
        if (keys.has(k)) duplicates.addEntry(k, entries.dn(i));
      }
    }
  }
  return duplicates;
}

/** The users of duplicated usernames are left as is: not deactivated as missing. Runs after matching. */
export function claimDuplicateOwners(duplicates: Duplicates, byKey: ReadonlyMap<string, number>, matches: Matches): void {
  for (const k of duplicates.keys) {
    const m = byKey.get(k);
    if (m !== undefined) matches.claimed[m] = 1;
  }
}
