/**
 * Rule: an active managed user that no entry returned (and whose username is not duplicated or
 * reused) is deactivated; users not returned that were not marked missing yet are listed as gone.
 */
import type { ManagedUsers } from '../../store/managed-users';
import { REUSED, type Matches } from './matches';
import { REASON_NOT_RETURNED } from './messages';
import type { PlanOutput } from './plan-output';
import { runAll, SLICE_MASK, type Steps } from './slices';

/** Deactivates the unreturned users; gives the users gone and how many users were active before. */
export function deactivateUnreturned(users: ManagedUsers, matches: Matches, out: PlanOutput): { gone: string[]; activeBefore: number } {
  return runAll(deactivateUnreturnedInSlices(users, matches, out));
}

/** {@link deactivateUnreturned} in slices (see slices.ts). */
export function* deactivateUnreturnedInSlices(users: ManagedUsers, matches: Matches, out: PlanOutput): Steps<{ gone: string[]; activeBefore: number }> {
  const { claimed } = matches;
  const gone: string[] = [];
  let activeBefore = 0;
  for (let u = 0; u < users.length; u++) {
    if ((u & SLICE_MASK) === SLICE_MASK) yield;
    const userActive = users.active(u);
    if (userActive) activeBefore++;
    // A user whose username another entry took is missing too; its deactivation is that change's.
    if ((!claimed[u] || claimed[u] === REUSED) && !users.missing(u)) gone.push(users.id[u]);
    if (claimed[u] || !userActive) continue;
    out.deactivate(users.username[u], users.sourceDn[u], users.id[u], REASON_NOT_RETURNED);
  }
  return { gone, activeBefore };
}
