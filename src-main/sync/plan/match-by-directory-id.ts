/**
 * Rule, first matching pass: an entry whose directory ID is a managed user's is that user, when the
 * username is the same or, when one username and one user of that ID are left, a rename. Any of the
 * entry's IDs counts (entryUUID, objectGUID, nsUniqueId...): the ID attribute may change. It runs
 * for every entry before matching by username, so a re-used username never takes over a renamed
 * user's account.
 */
import type { ManagedUsers } from '../../store/managed-users';
import type { CollectedEntries } from './collected-entries';
import type { Duplicates } from './duplicates';
import type { Matches } from './matches';
import { runAll, SLICE_MASK, type Steps } from './slices';

/** Managed user index(es) by directory ID (several only for multi-valued usernames). */
function* usersByDirectoryId(users: ManagedUsers): Steps<Map<string, number | number[]>> {
  const byDirId = new Map<string, number | number[]>();
  for (let i = 0; i < users.length; i++) {
    if ((i & SLICE_MASK) === SLICE_MASK) yield;
    const d = users.directoryId[i];
    if (!d) continue;
    const had = byDirId.get(d);
    if (had === undefined) byDirId.set(d, i);
    else if (typeof had === 'number') byDirId.set(d, [had, i]);
    else had.push(i);
  }
  return byDirId;
}

/** Matches slots to users by directory ID (exact username first, then one-to-one renames). */
export function matchByDirectoryId(entries: CollectedEntries, users: ManagedUsers, duplicates: Duplicates, matches: Matches): void {
  runAll(matchByDirectoryIdInSlices(entries, users, duplicates, matches));
}

/** {@link matchByDirectoryId} in slices (see slices.ts). */
export function* matchByDirectoryIdInSlices(entries: CollectedEntries, users: ManagedUsers, duplicates: Duplicates, matches: Matches): Steps<void> {
  // Built here, not with the planner's username index (which collecting needs), so it is not held
  // while the directory is read.
  const byDirId = yield* usersByDirectoryId(users);
  if (byDirId.size === 0) return;
  const { first, claimed } = matches;
  const userKeys = users.usernameKey;
  for (let i = 0, n = entries.length; i < n; i++) {
    if ((i & SLICE_MASK) === SLICE_MASK) yield;
    const directoryId = entries.directoryId(i);
    if (!directoryId) continue;
    // Any ID the user was known by: the entry's preferred one, else another it gives (a user first
    // seen by nsUniqueId whose entry now has an entryUUID too); applying stores the preferred one.
    let found = byDirId.get(directoryId);
    if (found === undefined) {
      for (const other of entries.otherDirectoryIds(i)) if ((found = byDirId.get(other)) !== undefined) break;
    }
    if (found === undefined) continue;
    const slot = first[i];
    const count = first[i + 1] - slot;
    // The common case: one user for this ID, one username.
    if (typeof found === 'number') {
      if (claimed[found]) continue;
      if (count === 1 && !duplicates.has(entries.keyAt(i, 0))) {
        matches.set(slot, found);
        continue;
      }
    }
    const cands = typeof found === 'number' ? [found] : found;
    const left: number[] = [];
    for (let j = 0; j < count; j++) {
      const k = entries.keyAt(i, j);
      if (duplicates.has(k)) continue;
      const m = cands.find((c) => !claimed[c] && userKeys[c] === k);
      if (m !== undefined) matches.set(slot + j, m);
      else left.push(j);
    }
    const leftUsers = cands.filter((c) => !claimed[c]);
    if (left.length === 1 && leftUsers.length === 1) matches.set(slot + left[0], leftUsers[0]);
  }
}
