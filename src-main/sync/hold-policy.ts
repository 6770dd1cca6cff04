/**
 * The hold policy: a sync whose plan looks like a directory problem rather than real departures
 * waits for an admin's approval instead of being applied. Three limits (Sync settings): how many
 * users it would deactivate, what share of the managed users, and how far the entry count dropped
 * since the last applied sync. Users deactivated because their username came back on another
 * entry (a reused username) count as deactivations; DN changes (renames, OU moves) do not count.
 */
import type { SyncSettings } from '../../src-shared/domain/sync';

/** What the policy looks at in a plan. */
export interface HoldFacts {
  /** Users the plan deactivates, those of reused usernames included. */
  deactivated: number;
  /** Of `deactivated`: users whose username a different directory entry now has (named in the reason). */
  reused?: number;
  managedBefore: number;
  entries: number;
  /** Entries of the server's last applied sync (null: none yet). */
  lastEntries: number | null;
}

const pct = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(1)}%`;

/** Why the plan must wait for approval, naming each limit it passes; null when it can be applied. */
export function heldReason(f: HoldFacts, limit: SyncSettings['deactivationLimit']): string | null {
  const n = f.deactivated;
  const reasons: string[] = [];
  const reused = f.reused ? ` (${f.reused} of them because their username now comes from a different directory entry)` : '';
  if (n > limit.count) reasons.push(`it would deactivate ${n} users${reused}, more than the limit of ${limit.count}`);
  if (f.managedBefore > 0 && n > (f.managedBefore * limit.percent) / 100) {
    reasons.push(`it would deactivate ${pct((n / f.managedBefore) * 100)} of the ${f.managedBefore} managed users${n > limit.count ? '' : reused}, more than ${pct(limit.percent)}`);
  }
  const last = f.lastEntries;
  if (last !== null && last > 0 && f.entries < last * (1 - limit.dropPercent / 100)) {
    reasons.push(`the search returned ${f.entries} entries, ${pct(((last - f.entries) / last) * 100)} fewer than the ${last} of the last sync (limit ${pct(limit.dropPercent)})`);
  }
  if (reasons.length === 0) return null;
  return `Held for review: ${reasons.join('; ')}. Review the plan, then apply exactly this plan or discard it.`;
}
