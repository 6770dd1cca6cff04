/**
 * The users of the organizations a server authenticates, as the sync planner reads them: one
 * column per field rather than one object per user.
 *
 * Why columns: a sync holds every managed user for its whole run. At 100k users, one object per
 * user (14 fields) plus a role list each cost ~60 MB of heap, and 1.1M objects for the garbage
 * collector to trace on every full collection. Columns hold the same facts in 11 arrays, share
 * the values that repeat (organization and source server ids, role lists: a handful of distinct
 * values) and keep a single string when a username is its own key (the usual case).
 */
import type { DeactivatedBy } from '../../src-shared/domain/directory';

/** One managed user as an object: what {@link ManagedUsers.at} gives and {@link ManagedUsers.from} takes. */
export interface ManagedUser {
  id: string;
  username: string;
  usernameKey: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  orgId: string;
  active: boolean;
  deactivatedBy: DeactivatedBy | null;
  directoryId: string | null;
  sourceDn: string | null;
  sourceServerId: string | null;
  /** The last sync of its server did not return the user. */
  missing: boolean;
  /** Role ids, sorted. */
  roleIds: string[];
}

/** Bits of {@link ManagedUsers.flags}. */
export const USER_ACTIVE = 1;
export const USER_MISSING = 2;
export const USER_DEACTIVATED_BY_SYNC = 4;
export const USER_DEACTIVATED_BY_ADMIN = 8;

const NO_ROLE_IDS: string[] = [];

/**
 * One string per distinct value, for fields whose values repeat across users (given names,
 * surnames: a few thousand distinct among 100k users), so that each repeat costs a pointer rather
 * than a string of its own (16 bytes of header plus the text). Bounded: past `max` distinct values
 * new ones are returned as they are, so unique values never build up a map as large as the data.
 */
export class StringPool {
  private readonly map = new Map<string, string>();
  constructor(private readonly max = 65_536) {}

  get(s: string): string;
  get(s: string | null): string | null;
  get(s: string | null): string | null {
    if (s === null) return null;
    const had = this.map.get(s);
    if (had !== undefined) return had;
    if (this.map.size < this.max) this.map.set(s, s);
    return s;
  }
}

/**
 * Managed users by column: user i is `id[i]`, `username[i]`, ... Columns are read directly by the
 * planner (hot loops over 100k users); nothing outside this file writes them.
 */
export class ManagedUsers {
  readonly id: string[];
  readonly username: string[];
  /** nameKey() of the username (the very same string as `username[i]` when they are equal). */
  readonly usernameKey: string[];
  readonly email: (string | null)[];
  readonly firstName: (string | null)[];
  readonly lastName: (string | null)[];
  /** Shared strings: one per organization. */
  readonly orgId: string[];
  readonly directoryId: (string | null)[];
  readonly sourceDn: (string | null)[];
  /** Shared strings: one per server. */
  readonly sourceServerId: (string | null)[];
  /** Sorted role ids; one shared array per distinct list (never modify one). */
  readonly roleIds: string[][];
  /** USER_ACTIVE | USER_MISSING | USER_DEACTIVATED_BY_*. */
  readonly flags: Uint8Array;
  private count = 0;

  /** Room for `capacity` users, filled with {@link add}. */
  constructor(capacity: number) {
    this.id = new Array<string>(capacity);
    this.username = new Array<string>(capacity);
    this.usernameKey = new Array<string>(capacity);
    this.email = new Array<string | null>(capacity);
    this.firstName = new Array<string | null>(capacity);
    this.lastName = new Array<string | null>(capacity);
    this.orgId = new Array<string>(capacity);
    this.directoryId = new Array<string | null>(capacity);
    this.sourceDn = new Array<string | null>(capacity);
    this.sourceServerId = new Array<string | null>(capacity);
    this.roleIds = new Array<string[]>(capacity);
    this.flags = new Uint8Array(capacity);
  }

  /** Users added so far. */
  get length(): number {
    return this.count;
  }

  /** How many users there is room for. */
  get capacity(): number {
    return this.flags.length;
  }

  /**
   * Appends a user (`usernameKey` null: the username is its own key). Callers pass shared strings
   * for orgId and sourceServerId and shared arrays for roleIds: this stores what it is given.
   */
  add(
    id: string,
    username: string,
    usernameKey: string | null,
    email: string | null,
    firstName: string | null,
    lastName: string | null,
    orgId: string,
    flags: number,
    directoryId: string | null,
    sourceDn: string | null,
    sourceServerId: string | null,
    roleIds: string[],
  ): void {
    const i = this.count;
    if (i >= this.flags.length) throw new Error(`ManagedUsers: more than the ${this.flags.length} users room was made for`);
    this.id[i] = id;
    this.username[i] = username;
    this.usernameKey[i] = usernameKey ?? username;
    this.email[i] = email;
    this.firstName[i] = firstName;
    this.lastName[i] = lastName;
    this.orgId[i] = orgId;
    this.flags[i] = flags;
    this.directoryId[i] = directoryId;
    this.sourceDn[i] = sourceDn;
    this.sourceServerId[i] = sourceServerId;
    this.roleIds[i] = roleIds;
    this.count = i + 1;
  }

  active(i: number): boolean {
    return (this.flags[i] & USER_ACTIVE) !== 0;
  }

  missing(i: number): boolean {
    return (this.flags[i] & USER_MISSING) !== 0;
  }

  deactivatedBy(i: number): DeactivatedBy | null {
    const f = this.flags[i];
    return f & USER_DEACTIVATED_BY_SYNC ? 'sync' : f & USER_DEACTIVATED_BY_ADMIN ? 'admin' : null;
  }

  /** User i as an object (a copy: for tests and diagnostics, not for loops over every user). */
  at(i: number): ManagedUser {
    if (i < 0 || i >= this.count) throw new RangeError(`no managed user ${i}`);
    return {
      id: this.id[i],
      username: this.username[i],
      usernameKey: this.usernameKey[i],
      email: this.email[i],
      firstName: this.firstName[i],
      lastName: this.lastName[i],
      orgId: this.orgId[i],
      active: this.active(i),
      deactivatedBy: this.deactivatedBy(i),
      directoryId: this.directoryId[i],
      sourceDn: this.sourceDn[i],
      sourceServerId: this.sourceServerId[i],
      missing: this.missing(i),
      roleIds: [...this.roleIds[i]],
    };
  }

  /** Columns holding `list` (same order). */
  static from(list: readonly ManagedUser[]): ManagedUsers {
    const users = new ManagedUsers(list.length);
    for (const u of list) {
      const flags =
        (u.active ? USER_ACTIVE : 0) | (u.missing ? USER_MISSING : 0)
        | (u.deactivatedBy === 'sync' ? USER_DEACTIVATED_BY_SYNC : u.deactivatedBy === 'admin' ? USER_DEACTIVATED_BY_ADMIN : 0);
      users.add(u.id, u.username, u.usernameKey, u.email, u.firstName, u.lastName, u.orgId, flags, u.directoryId, u.sourceDn, u.sourceServerId, u.roleIds.length ? u.roleIds : NO_ROLE_IDS);
    }
    return users;
  }
}
