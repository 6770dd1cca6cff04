/**
 * The sync planner: turns the entries a server's search returned (with their script outcomes) and
 * the users of the organizations that server authenticates into a per-user plan. Pure: reads
 * nothing and writes nothing; the same plan serves Simulate, Synchronize and approval.
 *
 * Matching: an entry is matched to a managed user by directory ID first (same ID and username;
 * or, when one username and one user of that ID are left, a rename), then by username (the
 * stored ID is updated). Directory-ID matching runs for all entries before any username
 * matching, so a re-used username never takes over a renamed user's account.
 */
import { orderedUuid } from '../store/ordered-id';
import type { AttributeMapping } from '../../src-shared/domain/mapping';
import { SCRIPT_LABELS } from '../../src-shared/domain/mapping';
import type { ScriptErrorInfo } from '../../src-shared/domain/scripts';
import { emptyCounts, type SyncAction, type SyncCounts } from '../../src-shared/domain/sync';
import type { EntryInput, ScriptOutcome } from '../scripts/engine';
import { valuesByName } from '../preview/entry-values';
import { nameKey } from '../store/name-key';
import type { StoredChange } from '../store/runs-repo';
import type { ManagedUser } from '../store/users-repo';
import { directoryIdOf } from './directory-id';

export interface OrgRef {
  id: string;
  name: string;
  authServerId: string | null;
}

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
  managed: readonly ManagedUser[];
  /** Users of other organizations (local, or another server's), by username key: for conflicts. */
  others: ReadonlyMap<string, { id: string; orgName: string }>;
}

/** What applying a change needs, per action. */
export type ChangeData =
  | { kind: 'deactivate'; reason: string }
  | { kind: 'reactivate' }
  | { kind: 'create'; id: string; username: string; email: string | null; firstName: string | null; lastName: string | null; orgId: string; roleIds: string[]; dn: string; directoryId: string | null }
  | { kind: 'move'; orgId: string }
  | { kind: 'roles'; roleIds: string[] }
  | { kind: 'update'; fields: Partial<Record<'username' | 'email' | 'firstName' | 'lastName', string>> };

/** A matched user's directory facts, refreshed on apply (not shown as changes). */
export interface SeenUser {
  id: string;
  dn: string;
  directoryId: string | null;
  /** The DN, directory ID or source server differs from what the store holds, or the user was missing (a row to rewrite). */
  changed: boolean;
}

export interface Plan {
  changes: StoredChange[];
  counts: SyncCounts;
  seen: SeenUser[];
  /** Managed users this search no longer returns that were not marked missing yet. */
  gone: string[];
  entries: number;
  managedBefore: number;
  activeBefore: number;
  managedAfter: number;
  activeAfter: number;
}

/** One entry as the planner keeps it: only what the plan needs (100k of these stay in memory). */
interface EntryRecord {
  dn: string;
  directoryId: string | null;
  usernames: string[];
  /** nameKey() of each username. */
  keys: string[];
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  active: boolean | null;
  org: string | null;
  roles: string[];
  /** Script failures (shared empty array when none). */
  errors: readonly ScriptErrorInfo[];
  /** The managed user each username matched (same order as `usernames`; set by plan()). */
  matched: (ManagedUser | undefined)[] | null;
}

const NO_ERRORS: readonly ScriptErrorInfo[] = Object.freeze([]);

/** Two sorted id lists hold the same ids. */
function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
const NO_ROLES: string[] = [];

const FIELD_LABELS = { username: 'username', email: 'email', firstName: 'first name', lastName: 'last name' } as const;

function scriptMessage(e: ScriptErrorInfo): string {
  const label = SCRIPT_LABELS[e.script];
  const where = e.line !== undefined ? ` (line ${e.line})` : '';
  return e.message.toLowerCase().includes(label.toLowerCase()) ? `${e.message}${where}` : `${label} script: ${e.message}${where}`;
}

/** Collects entries as pages arrive, then plans. */
export class Planner {
  private readonly records: EntryRecord[] = [];

  constructor(private readonly ctx: PlanContext) {}

  /** Adds a page of entries with their script outcomes (same order). */
  addPage(entries: readonly EntryInput[], outcomes: readonly ScriptOutcome[]): void {
    const { mapping, usernameAttribute } = this.ctx;
    const first = (e: EntryInput, attr: string) => (attr === '' ? null : (valuesByName(e, attr).find((v) => v !== '') ?? null));
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      const o = outcomes[i];
      const usernames: string[] = [];
      const keys: string[] = [];
      for (const v of valuesByName(e, usernameAttribute)) {
        const u = v.trim();
        const k = u.toLowerCase();
        if (u === '' || keys.includes(k)) continue;
        keys.push(k);
        usernames.push(u);
      }
      this.records.push({
        dn: e.dn,
        directoryId: directoryIdOf(e),
        usernames,
        keys,
        email: first(e, mapping.email),
        firstName: first(e, mapping.firstName),
        lastName: first(e, mapping.lastName),
        active: o.active,
        org: o.org !== null && o.org.trim() !== '' ? o.org.trim() : null,
        roles: this.ctx.hasRoleScript && o.roles.length ? o.roles : NO_ROLES,
        errors: o.errors.length ? o.errors : NO_ERRORS,
        matched: null,
      });
    }
  }

  /** The plan for everything added (once: the entries are released afterwards). */
  plan(): Plan {
    const ctx = this.ctx;
    const orgsByKey = new Map(ctx.orgs.map((o) => [nameKey(o.name), o]));
    const orgsById = new Map(ctx.orgs.map((o) => [o.id, o]));
    const rolesByKey = new Map(ctx.roles.map((r) => [nameKey(r.name), r]));
    const roleName = new Map(ctx.roles.map((r) => [r.id, r.name]));
    const ownerOf = (k: string): { id: string; orgName: string } | undefined => {
      const m = byKey.get(k);
      return m ? { id: m.id, orgName: orgsById.get(m.orgId)?.name ?? m.orgId } : ctx.others.get(k);
    };
    // One user per directory ID is the rule (several only for multi-valued usernames): no array then.
    const byDirId = new Map<string, ManagedUser | ManagedUser[]>();
    const byKey = new Map<string, ManagedUser>();
    for (const u of ctx.managed) {
      byKey.set(u.usernameKey, u);
      if (u.directoryId) {
        const had = byDirId.get(u.directoryId);
        if (had === undefined) byDirId.set(u.directoryId, u);
        else if (Array.isArray(had)) had.push(u);
        else byDirId.set(u.directoryId, [had, u]);
      }
    }

    // Usernames returned by more than one entry: an error for each, and their user is left as is.
    const keyCount = new Map<string, number>();
    for (const r of this.records) for (const k of r.keys) keyCount.set(k, (keyCount.get(k) ?? 0) + 1);
    const entriesOfKey = new Map<string, string[]>();
    for (const [k, n] of keyCount) if (n < 2) keyCount.delete(k);
    if (keyCount.size) {
      for (const r of this.records) {
        for (const k of r.keys) {
          if (!keyCount.has(k)) continue;
          const list = entriesOfKey.get(k);
          if (list) list.push(r.dn);
          else entriesOfKey.set(k, [r.dn]);
        }
      }
    }
    const duplicate = (k: string) => keyCount.has(k);

    // Matching, pass 1: directory IDs (exact username, then one-to-one renames).
    const claimed = new Set<string>();
    const setMatch = (r: EntryRecord, index: number, u: ManagedUser) => {
      claimed.add(u.id);
      (r.matched ??= new Array(r.usernames.length))[index] = u;
    };
    for (const r of this.records) {
      r.matched = null;
      if (!r.directoryId) continue;
      const found = byDirId.get(r.directoryId);
      if (!found) continue;
      // The common case: one user for this ID, one username.
      if (!Array.isArray(found)) {
        if (claimed.has(found.id)) continue;
        if (r.keys.length === 1 && !duplicate(r.keys[0])) {
          setMatch(r, 0, found);
          continue;
        }
      }
      const cands = Array.isArray(found) ? found : [found];
      const left: number[] = [];
      r.keys.forEach((k, j) => {
        if (duplicate(k)) return;
        const m = cands.find((c) => !claimed.has(c.id) && c.usernameKey === k);
        if (m) setMatch(r, j, m);
        else left.push(j);
      });
      const leftUsers = cands.filter((c) => !claimed.has(c.id));
      if (left.length === 1 && leftUsers.length === 1) setMatch(r, left[0], leftUsers[0]);
    }
    // Pass 2: usernames.
    for (const r of this.records) {
      r.keys.forEach((k, j) => {
        if (r.matched?.[j] || duplicate(k)) return;
        const m = byKey.get(k);
        if (m && !claimed.has(m.id)) setMatch(r, j, m);
      });
    }
    // Users whose username is returned by several entries are not "missing".
    for (const k of keyCount.keys()) if (byKey.has(k)) claimed.add(byKey.get(k)!.id);

    const changes: StoredChange[] = [];
    const counts = emptyCounts();
    const seen: SeenUser[] = [];
    const push = (c: Omit<StoredChange, 'seq'>) => {
      changes.push({ ...c, seq: changes.length } as StoredChange);
      switch (c.action as SyncAction) {
        case 'deactivate':
          counts.deactivated++;
          break;
        case 'reactivate':
          counts.reactivated++;
          break;
        case 'create':
          counts.created++;
          break;
        case 'move':
          counts.moved++;
          break;
        case 'roles':
          counts.rolesChanged++;
          break;
        case 'update':
          counts.updated++;
          break;
        case 'error':
          counts.errors++;
          break;
      }
    };
    const error = (username: string | null, dn: string | null, userId: string | null, reason: string) =>
      push({ username, dn, userId, action: 'error', reason, data: null });

    /** The organization an Org name script result names, or an error message. */
    // Scripts return the same few names for many entries: resolve each distinct answer once.
    const orgMemo = new Map<string, OrgRef | string>();
    const roleMemo = new Map<string, string[] | string>();
    const resolveOrg = (name: string): OrgRef | string => {
      let v = orgMemo.get(name);
      if (v === undefined) orgMemo.set(name, (v = resolveOrgUncached(name)));
      return v;
    };
    const resolveRoles = (names: readonly string[]): string[] | string => {
      const key = names.join('\x1f');
      let v = roleMemo.get(key);
      if (v === undefined) roleMemo.set(key, (v = resolveRolesUncached(names)));
      return v;
    };
    const resolveOrgUncached = (name: string): OrgRef | string => {
      const org = orgsByKey.get(nameKey(name));
      if (!org) return `Org name script returned "${name}", but no organization has that name. Create it, or fix the script.`;
      if (org.authServerId !== ctx.serverId) {
        return `Org name script returned "${org.name}", which does not sign in with "${ctx.serverName}". Set its authentication to this server, or fix the script.`;
      }
      return org;
    };
    /** Role ids for the Role name script's result, or an error message. */
    const resolveRolesUncached = (names: readonly string[]): string[] | string => {
      const ids = new Set<string>();
      const unknown: string[] = [];
      for (const n of names) {
        if (n.trim() === '') continue;
        const r = rolesByKey.get(nameKey(n));
        if (r) ids.add(r.id);
        else unknown.push(n);
      }
      if (unknown.length) return `Role name script returned ${unknown.map((n) => `"${n}"`).join(', ')}: no role has ${unknown.length === 1 ? 'that name' : 'those names'}. Create ${unknown.length === 1 ? 'it' : 'them'} on the Roles screen, or fix the script.`;
      return [...ids].sort();
    };
    const roleList = (ids: readonly string[]) => (ids.length ? ids.map((id) => roleName.get(id) ?? id).sort((a, b) => a.localeCompare(b)).join(', ') : '(none)');
    const scriptError = (r: EntryRecord, script: 'active' | 'orgName' | 'roleName') => r.errors.find((e) => e.script === script);

    let createdActive = 0;
    let reactivated = 0;
    let deactivated = 0;

    this.records.forEach((r) => {
      if (r.usernames.length === 0) {
        error(null, r.dn, null, `No username: the entry has no "${ctx.usernameAttribute}" value, so it gives no user.`);
        return;
      }
      r.usernames.forEach((username, j) => {
        const k = r.keys[j];
        if (duplicate(k)) {
          const dns = entriesOfKey.get(k)!;
          error(username, r.dn, byKey.get(k)?.id ?? null, `The username "${username}" is returned by ${dns.length} entries (${dns.slice(0, 3).join('; ')}${dns.length > 3 ? '; ...' : ''}). Fix the directory or the search filter; the user is left as is.`);
          return;
        }
        const user = r.matched?.[j];
        if (user) {
          // Only users whose directory facts changed need a write (last seen is kept lazily).
          if (user.missing || user.sourceDn !== r.dn || (r.directoryId !== null && user.directoryId !== r.directoryId) || user.sourceServerId !== ctx.serverId) {
            seen.push({ id: user.id, dn: r.dn, directoryId: r.directoryId, changed: true });
          }
          // Active
          const activeErr = scriptError(r, 'active');
          if (r.active === null) {
            error(username, r.dn, user.id, activeErr ? `${scriptMessage(activeErr)}. The user's status stays as it is.` : 'The Active script returned no result. The user\'s status stays as it is.');
          } else if (!r.active && user.active) {
            push({ username: user.username, dn: r.dn, userId: user.id, action: 'deactivate', reason: 'Active script returned false', data: { kind: 'deactivate', reason: 'Active script returned false' } });
            deactivated++;
          } else if (r.active && !user.active && user.deactivatedBy === 'sync') {
            push({ username: user.username, dn: r.dn, userId: user.id, action: 'reactivate', reason: 'Returned by the search and active again', data: { kind: 'reactivate' } });
            reactivated++;
          }
          // Org name
          if (ctx.hasOrgScript) {
            const orgErr = scriptError(r, 'orgName');
            if (orgErr) error(username, r.dn, user.id, `${scriptMessage(orgErr)}. The user stays in their organization.`);
            else if (r.org !== null) {
              const org = resolveOrg(r.org);
              if (typeof org === 'string') error(username, r.dn, user.id, `${org} The user stays where they are.`);
              else if (org.id !== user.orgId) {
                push({ username: user.username, dn: r.dn, userId: user.id, action: 'move', from: orgsById.get(user.orgId)?.name ?? user.orgId, to: org.name, data: { kind: 'move', orgId: org.id } });
              }
            }
          }
          // Role name
          if (ctx.hasRoleScript) {
            const roleErr = scriptError(r, 'roleName');
            if (roleErr) error(username, r.dn, user.id, `${scriptMessage(roleErr)}. The roles stay as they are.`);
            else {
              const ids = resolveRoles(r.roles);
              if (typeof ids === 'string') error(username, r.dn, user.id, `${ids} The roles stay as they are.`);
              else if (!sameIds(ids, user.roleIds)) {
                const added = ids.filter((id) => !user.roleIds.includes(id));
                const removed = user.roleIds.filter((id) => !ids.includes(id));
                const reason = [added.length ? `added ${roleList(added)}` : '', removed.length ? `removed ${roleList(removed)}` : ''].filter(Boolean).join('; ');
                push({ username: user.username, dn: r.dn, userId: user.id, action: 'roles', from: roleList(user.roleIds), to: roleList(ids), reason, data: { kind: 'roles', roleIds: ids } });
              }
            }
          }
          // Mapped fields and a renamed username.
          const fields: Partial<Record<'username' | 'email' | 'firstName' | 'lastName', string>> = {};
          const from: string[] = [];
          const to: string[] = [];
          if (k !== user.usernameKey || username !== user.username) {
            const owner = k !== user.usernameKey ? ownerOf(k) : undefined;
            if (owner && owner.id !== user.id) {
              error(username, r.dn, user.id, `The entry's username changed from "${user.username}" to "${username}", but a user of "${owner.orgName}" already has that name. The username stays "${user.username}".`);
            } else {
              fields.username = username;
              from.push(`username: ${user.username}`);
              to.push(`username: ${username}`);
            }
          }
          for (const f of ['email', 'firstName', 'lastName'] as const) {
            const v = r[f];
            if (v !== null && v !== user[f]) {
              fields[f] = v;
              from.push(`${FIELD_LABELS[f]}: ${user[f] ?? '(none)'}`);
              to.push(`${FIELD_LABELS[f]}: ${v}`);
            }
          }
          if (from.length) push({ username: user.username, dn: r.dn, userId: user.id, action: 'update', from: from.join('; '), to: to.join('; '), data: { kind: 'update', fields } });
          return;
        }
        // No managed user: create one when the server says so.
        if (!ctx.createUsers) return;
        const owner = ownerOf(k);
        if (owner) {
          error(username, r.dn, owner.id, `A user named "${username}" already exists in "${owner.orgName}", which "${ctx.serverName}" does not manage, so no user is created. Move that user to an organization that signs in with this server, or rename one of them.`);
          return;
        }
        if (r.active === null) {
          const activeErr = scriptError(r, 'active');
          error(username, r.dn, null, `${activeErr ? scriptMessage(activeErr) : 'The Active script returned no result'}. No user is created.`);
          return;
        }
        if (!r.active) return; // an inactive entry gets no account
        let org: OrgRef | string | null = null;
        const orgErr = ctx.hasOrgScript ? scriptError(r, 'orgName') : undefined;
        if (orgErr) org = `${scriptMessage(orgErr)}.`;
        else if (r.org !== null) org = resolveOrg(r.org);
        else if (ctx.defaultOrgId) {
          const d = orgsById.get(ctx.defaultOrgId);
          org =
            !d ? 'The default organization no longer exists. Choose another one in the server\'s Sync settings.'
            : d.authServerId !== ctx.serverId ? `The default organization "${d.name}" does not sign in with "${ctx.serverName}". Set its authentication to this server, or choose another default organization.`
            : d;
        } else {
          org = `No organization for the new user: ${ctx.hasOrgScript ? 'the Org name script returned nothing and ' : ''}the server has no default organization. Choose one in the server's Sync settings${ctx.hasOrgScript ? ', or fix the script' : ''}.`;
        }
        if (typeof org === 'string') {
          error(username, r.dn, null, `${org} No user is created.`);
          return;
        }
        let roleIds: string[] = [];
        if (ctx.hasRoleScript) {
          const roleErr = scriptError(r, 'roleName');
          const ids = roleErr ? `${scriptMessage(roleErr)}.` : resolveRoles(r.roles);
          if (typeof ids === 'string') {
            error(username, r.dn, null, `${ids} No user is created.`);
            return;
          }
          roleIds = ids;
        }
        const id = orderedUuid();
        push({
          username,
          dn: r.dn,
          userId: id,
          action: 'create',
          to: org.name,
          reason: roleIds.length ? `roles: ${roleList(roleIds)}` : undefined,
          data: { kind: 'create', id, username, email: r.email, firstName: r.firstName, lastName: r.lastName, orgId: org.id, roleIds, dn: r.dn, directoryId: r.directoryId },
        });
        createdActive++;
      });
    });

    // Managed users the search did not return.
    const gone: string[] = [];
    for (const u of ctx.managed) {
      if (!claimed.has(u.id) && !u.missing) gone.push(u.id);
      if (claimed.has(u.id) || !u.active) continue;
      push({ username: u.username, dn: u.sourceDn, userId: u.id, action: 'deactivate', reason: 'Not returned by the search', data: { kind: 'deactivate', reason: 'Not returned by the search' } });
      deactivated++;
    }

    const managedBefore = ctx.managed.length;
    let activeBefore = 0;
    for (const u of ctx.managed) if (u.active) activeBefore++;
    const entries = this.records.length;
    // The entries are planned: let their memory go before the plan is applied.
    this.records.length = 0;
    return {
      changes,
      counts,
      seen,
      gone,
      entries,
      managedBefore,
      activeBefore,
      managedAfter: managedBefore + createdActive,
      activeAfter: activeBefore - deactivated + reactivated + createdActive,
    };
  }
}
