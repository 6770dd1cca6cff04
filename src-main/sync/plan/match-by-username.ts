/**
 * Rule, second matching pass: a username not matched by directory ID is the managed user of that
 * username (ignoring case), unless that user was matched already or the username is duplicated.
 * Applying such a match stores the entry's directory ID on the user. When the entry and the user
 * both have a directory ID and they differ, the username was reused (reused-username.ts): no match.
 */
import type { ManagedUsers } from '../../store/managed-users';
import type { CollectedEntries } from './collected-entries';
import type { Duplicates } from './duplicates';
import type { Matches } from './matches';
import { isReusedUsername } from './reused-username';
import { runAll, SLICE_MASK, type Steps } from './slices';

/** Matches the slots left by matchByDirectoryId to users by username key. */
export function matchByUsername(entries: CollectedEntries, users: ManagedUsers, byKey: ReadonlyMap<string, number>, duplicates: Duplicates, matches: Matches): void {
  runAll(matchByUsernameInSlices(entries, users, byKey, duplicates, matches));
}

/** {@link matchByUsername} in slices (see slices.ts). */
export function* matchByUsernameInSlices(
  entries: CollectedEntries,
  users: ManagedUsers,
  byKey: ReadonlyMap<string, number>,
  duplicates: Duplicates,
  matches: Matches,
): Steps<void> {
  if (byKey.size === 0) return;
  const { first, user, claimed } = matches;
  const userIds = users.directoryId;
  for (let i = 0, n = entries.length; i < n; i++) {
    if ((i & SLICE_MASK) === SLICE_MASK) yield;
    for (let slot = first[i], j = 0; slot < first[i + 1]; slot++, j++) {
      if (user[slot] >= 0) continue;
      const k = entries.keyAt(i, j);
      if (duplicates.has(k)) continue;
      const m = byKey.get(k);
      if (m === undefined || claimed[m]) continue;
      if (isReusedUsername(entries.directoryId(i), userIds[m], entries.otherDirectoryIds(i))) matches.reuse(slot, m);
      else matches.set(slot, m);
    }
  }
}
