/**
 * Which managed user each username of each entry matched. Each username of each entry is a
 * "slot": entry i has slots `first[i] .. first[i + 1] - 1`, so a multi-valued username attribute
 * gives an entry several slots, and each can match (or create) a user of its own.
 */
import type { CollectedEntries } from './collected-entries';

/** The slots of the entries and what they matched. */
export class Matches {
  /** The first slot of each entry; `first[entries]` is the number of slots. */
  readonly first: Int32Array;
  /**
   * The managed user each slot matched (-1: none), or `-2 - u` when the slot's username is managed
   * user u's but the entry is another one (a reused username: see reused-username.ts).
   */
  readonly user: Int32Array;
  /**
   * Per managed user: 1 once a slot matched it or its username is returned by several entries (so it
   * is not "missing"); {@link REUSED} when a different entry took its username (it is missing, but its
   * deactivation is the reused-username change's, not "not returned").
   */
  readonly claimed: Uint8Array;

  constructor(entries: CollectedEntries, users: number) {
    const n = entries.length;
    const first = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) first[i + 1] = first[i] + entries.nameCount(i);
    this.first = first;
    this.user = new Int32Array(first[n]).fill(-1);
    this.claimed = new Uint8Array(users);
  }

  /** Slot `slot` is managed user `u`. */
  set(slot: number, u: number): void {
    this.claimed[u] = 1;
    this.user[slot] = u;
  }

  /** Slot `slot` has managed user `u`'s username, but comes from another entry than u's. */
  reuse(slot: number, u: number): void {
    this.claimed[u] = REUSED;
    this.user[slot] = -2 - u;
  }
}

/** {@link Matches.claimed}: the user's username came back on another entry. */
export const REUSED = 2;

/** The managed user of a reused slot (`user[slot] <= -2`). */
export const reusedUser = (slotUser: number): number => -2 - slotUser;
