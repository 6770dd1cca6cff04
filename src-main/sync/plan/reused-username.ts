/**
 * Rule: a reused username. When an entry's username is a managed user's but the entry's directory ID
 * (entryUUID, objectGUID, ...) is another one than the user's, the user's entry was deleted and the
 * name given to a new entry (often a new person). The new entry never inherits the account: the plan
 * shows a change of its own naming both IDs, an active user is deactivated (so it counts toward the
 * hold limits), and no user is created while the old account holds the name. The admin decides:
 * relink the account to the new entry (the same person, re-created in the directory), or leave it.
 */
import type { Deciding, EntryFacts } from './entry-facts';
import { reusedDeactivationReason, reusedUsername } from './messages';

/** The kind prefix of a directory ID (`objectGUID` of `objectGUID:...`). */
function kindOf(id: string): string {
  const colon = id.indexOf(':');
  return colon < 0 ? '' : id.slice(0, colon);
}

/**
 * The entry is another one than the user's: both directory IDs known, of the same kind, different.
 * An ID of another kind (a directory that started giving entryUUID besides nsUniqueId) is compared
 * through the entry's other IDs: the entry's ID of the user's kind decides. None of that kind, or a
 * missing one (a user synced before IDs were read, a snapshot without them), proves nothing: matched by username.
 */
export function isReusedUsername(entryId: string | null, userId: string | null, otherEntryIds: readonly string[] = []): boolean {
  if (entryId === null || userId === null || entryId === userId) return false;
  if (kindOf(entryId) === kindOf(userId)) return true;
  // The entry's ID of the user's kind (its nsUniqueId next to a new entryUUID) says the same.
  const kind = kindOf(userId);
  for (const other of otherEntryIds) if (kindOf(other) === kind) return other !== userId;
  return false;
}

/** Plans the reused-username change for managed user `u`, whose username the entry now has. */
export function decideReused(d: Deciding, f: EntryFacts, username: string, u: number): void {
  const { users, out } = d;
  const oldId = users.directoryId[u]!;
  const newId = f.directoryId!;
  const userId = users.id[u];
  const active = users.active(u);
  out.counts.reused++;
  const reason = reusedUsername(users.username[u], oldId, newId, f.dn, active);
  if (active) {
    // Counted as a deactivation too: the hold limits see it, and the active count after the plan.
    out.counts.deactivated++;
    out.deactivated++;
    out.reusedDeactivated++;
  }
  out.changes.push({
    username,
    dn: f.dn,
    userId,
    action: 'reused',
    from: oldId,
    to: newId,
    reason,
    data: active ? { kind: 'deactivate', reason: reusedDeactivationReason(newId) } : null,
    seq: out.changes.length,
  });
}
