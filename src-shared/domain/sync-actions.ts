/**
 * The kinds of plan change and their counts: what the store's plan rows and run records hold.
 * Apart from domain/sync.ts (which re-exports them) because that module builds the settings'
 * zod schemas when loaded: the apply worker, which needs only these, then loads no zod (its
 * bundle 605 -> ~150 KB, and no schema building at each start).
 */

/** What one planned change does to one user. */
export const SYNC_ACTIONS = ['deactivate', 'reactivate', 'create', 'move', 'roles', 'update', 'dn', 'reused', 'error'] as const;
export type SyncAction = (typeof SYNC_ACTIONS)[number];

/** How many users each kind of change touches (a user can count in several). */
export interface SyncCounts {
  deactivated: number;
  reactivated: number;
  created: number;
  moved: number;
  rolesChanged: number;
  updated: number;
  /** Users whose entry was renamed or moved in the directory (its DN changed): shown, applied, never held for. */
  dnChanged: number;
  /**
   * Usernames returned by a different entry than the user's (another directory ID): the user is not
   * taken over; an active one is deactivated (and counts in `deactivated` too, so toward the hold limits).
   */
  reused: number;
  errors: number;
}

export const emptyCounts = (): SyncCounts => ({ deactivated: 0, reactivated: 0, created: 0, moved: 0, rolesChanged: 0, updated: 0, dnChanged: 0, reused: 0, errors: 0 });
