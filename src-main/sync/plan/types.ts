/** What the planner takes besides the entries, and the plan it gives. */
import type { AttributeMapping } from '../../../src-shared/domain/mapping';
import type { SyncCounts } from '../../../src-shared/domain/sync';
import type { ManagedUser, ManagedUsers } from '../../store/managed-users';
import type { StoredChange } from '../../store/plan-rows-repo';

/** An organization as the planner sees it. */
export interface OrgRef {
  id: string;
  name: string;
  authServerId: string | null;
}

/** A role as the planner sees it. */
export interface RoleRef {
  id: string;
  name: string;
}

/** Everything the planner needs besides the entries. */
export interface PlanContext {
  serverId: string;
  serverName: string;
  usernameAttribute: string;
  mapping: AttributeMapping;
  hasOrgScript: boolean;
  hasRoleScript: boolean;
  createUsers: boolean;
  defaultOrgId: string | null;
  orgs: readonly OrgRef[];
  roles: readonly RoleRef[];
  /** The users of the organizations this server authenticates (loadManagedUsers), or a plain list (tests). */
  managed: ManagedUsers | readonly ManagedUser[];
  /** Users of other organizations (local, or another server's), by username key: for conflicts. */
  others: ReadonlyMap<string, { id: string; orgName: string }>;
  /**
   * False when the plan is never applied (a simulation): new users then get no planned id and no
   * apply data (100k creates: ~10 MB and ~20 ms less; a simulation's rows keep neither anyway).
   * Default true.
   */
  applyData?: boolean;
}

/** What applying a change needs, per action. */
export type ChangeData =
  | { kind: 'deactivate'; reason: string }
  | { kind: 'reactivate' }
  | { kind: 'create'; id: string; username: string; email: string | null; firstName: string | null; lastName: string | null; orgId: string; roleIds: string[]; dn: string; directoryId: string | null }
  | { kind: 'move'; orgId: string }
  | { kind: 'roles'; roleIds: string[] }
  | { kind: 'update'; fields: Partial<Record<'username' | 'email' | 'firstName' | 'lastName', string>> }
  // The new DN (with the entry's directory ID), as the user's seen facts write it: a sync writes it
  // through Plan.seen too; approving a held plan (which keeps only changes) writes it from here.
  | { kind: 'dn'; dn: string; directoryId: string | null };
// A reused username ('reused') deactivates an active user with a 'deactivate' datum, or has none.

/** A matched user's directory facts, refreshed on apply (not shown as changes). */
export interface SeenUser {
  id: string;
  dn: string;
  directoryId: string | null;
  /** The DN, directory ID or source server differs from what the store holds, or the user was missing (a row to rewrite). */
  changed: boolean;
}

/** The plan of one run. */
export interface Plan {
  changes: StoredChange[];
  counts: SyncCounts;
  seen: SeenUser[];
  /** Managed users this search no longer returns that were not marked missing yet. */
  gone: string[];
  /** Of `counts.deactivated`: users whose username a different directory entry now has (for the held reason; absent: 0). */
  reusedDeactivated?: number;
  entries: number;
  managedBefore: number;
  activeBefore: number;
  managedAfter: number;
  activeAfter: number;
}
