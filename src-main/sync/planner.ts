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
import { emptyCounts, type SyncCounts } from '../../src-shared/domain/sync';
import type { EntryInput, ScriptOutcome } from '../scripts/engine';
import { valuesByName } from '../preview/entry-values';
import { nameKey } from '../store/name-key';
import type { StoredChange } from '../store/runs-repo';
import { ManagedUsers, StringPool, type ManagedUser } from '../store/managed-users';
import { directoryIdOf } from './directory-id';
import { FullRecords, Quads } from './entry-columns';

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
  /** The users of the organizations this server authenticates (loadManagedUsers), or a plain list (tests). */
  managed: ManagedUsers | readonly ManagedUser[];
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

/** Two sorted id lists hold the same ids. */
function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
const NO_ROLES: readonly string[] = Object.freeze([]);
/** The role ids of users created without a Role name script (shared: nothing modifies a plan's lists). */
const NO_ROLE_IDS: string[] = [];

const FIELD_LABELS = { username: 'username', email: 'email', firstName: 'first name', lastName: 'last name' } as const;
const MAPPED_FIELDS = ['email', 'firstName', 'lastName'] as const;

/** The entry's failure of one script, if any. */
function scriptError(errors: readonly ScriptErrorInfo[], script: 'active' | 'orgName' | 'roleName'): ScriptErrorInfo | undefined {
  for (const e of errors) if (e.script === script) return e;
  return undefined;
}

function scriptMessage(e: ScriptErrorInfo): string {
  const label = SCRIPT_LABELS[e.script];
  const where = e.line !== undefined ? ` (line ${e.line})` : '';
  return e.message.toLowerCase().includes(label.toLowerCase()) ? `${e.message}${where}` : `${label} script: ${e.message}${where}`;
}

/** The first non-empty value of an attribute (null when unmapped or absent). */
function firstValue(e: EntryInput, attr: string): string | null {
  if (attr === '') return null;
  const values = valuesByName(e, attr);
  for (let i = 0; i < values.length; i++) if (values[i] !== '') return values[i];
  return null;
}

/**
 * A text built from pieces (a template literal, `a + b`) is kept by V8 as a tree of the pieces
 * until something reads it as a whole: a directory ID keeps the entry's value alive besides its
 * prefix. Reading one character makes V8 flatten it now (the garbage collector then drops the
 * pieces), so the 100k directory IDs of a first sync stay small while the plan waits to be applied.
 * (User ids need nothing: orderedUuid() makes them flat.)
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

// Per entry, four numbers (see Planner.entry).
const REF = 0;
const BITS = 1;
const ORG = 2;
const ROLES = 3;
const STRIDE = 4;
// BITS: the Active result (0 false, 1 true, 2 none), and whether a compact entry has a directory ID.
const ACTIVE_MASK = 3;
const ACTIVE_NULL = 2;
const HAS_DIRECTORY_ID = 4;

/**
 * Collects entries as pages arrive, then plans.
 *
 * Entries are kept as columns, not objects, and most of a re-sync's entries as one number: an
 * entry whose DN, username, directory ID, email and names are exactly those of a managed user is
 * stored as that user's index (a "compact" entry; its strings are read back from the user when
 * planning). Script answers are kept as indexes into the distinct answers (a handful: the same
 * organization and role names for thousands of entries). So 100k entries cost ~2 MB in a re-sync
 * instead of ~90 MB of objects, strings and arrays; the plan is computed from the same values.
 */
export class Planner {
  private readonly ctx: PlanContext;
  private users: ManagedUsers;
  /** Managed user index by username key (the last one wins, as a Map built in order). */
  private byKey = new Map<string, number>();
  private planned = false;

  /** Per entry: REF (>= 0 a managed user, see above; < 0: -1 - the index of its full record), BITS, ORG, ROLES. */
  private entry = new Quads();
  private count = 0;
  /** The entries that are not compact. */
  private full = new FullRecords();
  /** Given names and surnames of full records: one string per distinct value. */
  private namePool = new StringPool();
  /** Script failures by entry index (most entries have none). */
  private errors = new Map<number, readonly ScriptErrorInfo[]>();
  /** Distinct Org name answers (trimmed; 0: none) and Role name answers (0: none). */
  private orgAnswers: (string | null)[] = [null];
  private orgAnswerIndex = new Map<string, number>();
  private roleAnswers: (readonly string[])[] = [NO_ROLES];
  private singleRoleIndex = new Map<string, number>();
  private roleListIndex = new Map<string, number>();

  constructor(ctx: PlanContext) {
    // Without the managed users: the planner lets them go after plan(), which it could not while
    // holding the caller's context.
    this.ctx = { ...ctx, managed: [] };
    this.users = ctx.managed instanceof ManagedUsers ? ctx.managed : ManagedUsers.from(ctx.managed);
    const keys = this.users.usernameKey;
    for (let i = 0; i < this.users.length; i++) this.byKey.set(keys[i], i);
  }

  /** Adds a page of entries with their script outcomes (same order). */
  addPage(entries: readonly EntryInput[], outcomes: readonly ScriptOutcome[]): void {
    if (this.planned) throw new Error('Planner: plan() has run; make a new planner');
    const { mapping, usernameAttribute, hasRoleScript } = this.ctx;
    const users = this.users;
    const compactable = this.byKey.size > 0;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      const o = outcomes[i];
      // Usernames: trimmed, empty ones and repeats (ignoring case) dropped, in attribute order.
      let name: string | null = null;
      let key: string | null = null;
      let names: string[] | null = null;
      let keys: string[] | null = null;
      for (const v of valuesByName(e, usernameAttribute)) {
        const u = v.trim();
        if (u === '') continue;
        const k = u.toLowerCase();
        if (key === null) {
          name = u;
          key = k;
        } else if (keys === null) {
          if (k === key) continue;
          names = [name!, u];
          keys = [key, k];
        } else if (!keys.includes(k)) {
          names!.push(u);
          keys.push(k);
        }
      }
      const dn = e.dn;
      const directoryId = directoryIdOf(e);
      const email = firstValue(e, mapping.email);
      const firstName = firstValue(e, mapping.firstName);
      const lastName = firstValue(e, mapping.lastName);

      const index = this.count++;
      let bits = o.active === null ? ACTIVE_NULL : o.active ? 1 : 0;
      let ref = -1;
      if (compactable && key !== null && keys === null) {
        const m = this.byKey.get(key);
        if (
          m !== undefined && users.username[m] === name && users.sourceDn[m] === dn && (directoryId === null || users.directoryId[m] === directoryId)
          && users.email[m] === email && users.firstName[m] === firstName && users.lastName[m] === lastName
        ) {
          ref = m;
          if (directoryId !== null) bits |= HAS_DIRECTORY_ID;
        }
      }
      if (ref < 0) {
        // Kept until plan() (and in a first sync by the plan): the directory ID as one string,
        // not the prefix plus the entry's value, and repeated names shared.
        const id = directoryId === null ? null : flat(directoryId);
        ref = -1 - this.full.add(dn, id, names ?? name, keys ?? key, email, this.namePool.get(firstName), this.namePool.get(lastName));
      }
      const org = o.org !== null && o.org.trim() !== '' ? this.orgAnswer(o.org.trim()) : 0;
      this.entry.push(ref, bits, org, hasRoleScript && o.roles.length ? this.roleAnswer(o.roles) : 0);
      if (o.errors.length) this.errors.set(index, o.errors);
    }
  }

  private orgAnswer(name: string): number {
    let a = this.orgAnswerIndex.get(name);
    if (a === undefined) {
      a = this.orgAnswers.push(name) - 1;
      this.orgAnswerIndex.set(name, a);
    }
    return a;
  }

  private roleAnswer(names: readonly string[]): number {
    // One name is the common answer: its own key. Several: a key that cannot collide (JSON).
    const index = names.length === 1 ? this.singleRoleIndex : this.roleListIndex;
    const key = names.length === 1 ? names[0] : JSON.stringify(names);
    let a = index.get(key);
    if (a === undefined) {
      a = this.roleAnswers.push(names) - 1;
      index.set(key, a);
    }
    return a;
  }

  /** The plan for everything added (once: the entries and the managed users are released afterwards). */
  plan(): Plan {
    if (this.planned) throw new Error('Planner: plan() runs once; make a new planner');
    this.planned = true;
    const ctx = this.ctx;
    const users = this.users;
    const byKey = this.byKey;
    // Managed user index(es) by directory ID (several only for multi-valued usernames). Built
    // here, not with byKey (which addPage needs), so it is not held while the directory is read.
    const byDirId = new Map<string, number | number[]>();
    for (let i = 0; i < users.length; i++) {
      const d = users.directoryId[i];
      if (!d) continue;
      const had = byDirId.get(d);
      if (had === undefined) byDirId.set(d, i);
      else if (typeof had === 'number') byDirId.set(d, [had, i]);
      else had.push(i);
    }
    const n = this.count;
    const E = this.entry.data;
    const full = this.full;
    const userIds = users.id;
    const userKeys = users.usernameKey;

    // An entry's values, read back from its full record or from the managed user it repeats.
    const dnOf = (i: number): string => {
      const ref = E[i * STRIDE + REF];
      return ref >= 0 ? users.sourceDn[ref]! : full.dn(-1 - ref);
    };
    const directoryIdOfEntry = (i: number): string | null => {
      const ref = E[i * STRIDE + REF];
      return ref >= 0 ? (E[i * STRIDE + BITS] & HAS_DIRECTORY_ID ? users.directoryId[ref] : null) : full.directoryId(-1 - ref);
    };
    const nameCount = (i: number): number => {
      const ref = E[i * STRIDE + REF];
      if (ref >= 0) return 1;
      const v = full.names(-1 - ref);
      return v === null ? 0 : typeof v === 'string' ? 1 : v.length;
    };
    const nameAt = (i: number, j: number): string => {
      const ref = E[i * STRIDE + REF];
      if (ref >= 0) return users.username[ref];
      const v = full.names(-1 - ref)!;
      return typeof v === 'string' ? v : v[j];
    };
    const keyAt = (i: number, j: number): string => {
      const ref = E[i * STRIDE + REF];
      if (ref >= 0) return userKeys[ref];
      const v = full.keys(-1 - ref)!;
      return typeof v === 'string' ? v : v[j];
    };

    const orgsByKey = new Map(ctx.orgs.map((o) => [nameKey(o.name), o]));
    const orgsById = new Map(ctx.orgs.map((o) => [o.id, o]));
    const rolesByKey = new Map(ctx.roles.map((r) => [nameKey(r.name), r]));
    const roleName = new Map(ctx.roles.map((r) => [r.id, r.name]));
    const ownerOf = (k: string): { id: string; orgName: string } | undefined => {
      const m = byKey.get(k);
      if (m === undefined) return ctx.others.get(k);
      const orgId = users.orgId[m];
      return { id: userIds[m], orgName: orgsById.get(orgId)?.name ?? orgId };
    };

    // Each username of each entry is a slot: entry i has slots firstSlot[i] .. firstSlot[i + 1] - 1.
    const firstSlot = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) firstSlot[i + 1] = firstSlot[i] + nameCount(i);
    /** The managed user each slot matched (-1: none). */
    const matched = new Int32Array(firstSlot[n]).fill(-1);
    const claimed = new Uint8Array(users.length);

    // Usernames returned by more than one entry: an error for each, and their user is left as is.
    // Compact entries are counted per user (their key is their user's), the others by key.
    const compactCount = new Uint8Array(users.length);
    const duplicates = new Set<string>();
    // Keys of full records seen once: one hash operation per key (a first sync has 100k of them).
    const once = new Set<string>();
    const countKey = (k: string) => {
      const before = once.size;
      if (once.add(k).size === before) duplicates.add(k);
    };
    for (let i = 0; i < n; i++) {
      const ref = E[i * STRIDE + REF];
      if (ref >= 0) {
        if (compactCount[ref] < 2) compactCount[ref]++;
        continue;
      }
      const k = full.keys(-1 - ref);
      if (k === null) continue;
      if (typeof k === 'string') countKey(k);
      else for (const x of k) countKey(x);
    }
    for (let u = 0; u < users.length; u++) if (compactCount[u] >= 2) duplicates.add(userKeys[u]);
    if (compactCount.length > 0) {
      for (const k of once) {
        const u = byKey.get(k);
        if (u !== undefined && compactCount[u] > 0) duplicates.add(k);
      }
    }
    once.clear();
    const duplicate = (k: string) => duplicates.size > 0 && duplicates.has(k);
    const entriesOfKey = new Map<string, string[]>();
    if (duplicates.size) {
      for (let i = 0; i < n; i++) {
        for (let j = 0, c = nameCount(i); j < c; j++) {
          const k = keyAt(i, j);
          if (!duplicates.has(k)) continue;
          const list = entriesOfKey.get(k);
          if (list) list.push(dnOf(i));
          else entriesOfKey.set(k, [dnOf(i)]);
        }
      }
    }

    // Matching, pass 1: directory IDs (exact username, then one-to-one renames).
    const setMatch = (slot: number, u: number) => {
      claimed[u] = 1;
      matched[slot] = u;
    };
    if (byDirId.size > 0) {
      for (let i = 0; i < n; i++) {
        const directoryId = directoryIdOfEntry(i);
        if (!directoryId) continue;
        const found = byDirId.get(directoryId);
        if (found === undefined) continue;
        const slot = firstSlot[i];
        const count = firstSlot[i + 1] - slot;
        // The common case: one user for this ID, one username.
        if (typeof found === 'number') {
          if (claimed[found]) continue;
          if (count === 1 && !duplicate(keyAt(i, 0))) {
            setMatch(slot, found);
            continue;
          }
        }
        const cands = typeof found === 'number' ? [found] : found;
        const left: number[] = [];
        for (let j = 0; j < count; j++) {
          const k = keyAt(i, j);
          if (duplicate(k)) continue;
          const m = cands.find((c) => !claimed[c] && userKeys[c] === k);
          if (m !== undefined) setMatch(slot + j, m);
          else left.push(j);
        }
        const leftUsers = cands.filter((c) => !claimed[c]);
        if (left.length === 1 && leftUsers.length === 1) setMatch(slot + left[0], leftUsers[0]);
      }
    }
    // Pass 2: usernames.
    if (byKey.size > 0) {
      for (let i = 0; i < n; i++) {
        for (let slot = firstSlot[i], j = 0; slot < firstSlot[i + 1]; slot++, j++) {
          if (matched[slot] >= 0) continue;
          const k = keyAt(i, j);
          if (duplicate(k)) continue;
          const m = byKey.get(k);
          if (m !== undefined && !claimed[m]) setMatch(slot, m);
        }
      }
    }
    // Users whose username is returned by several entries are not "missing".
    for (const k of duplicates) {
      const m = byKey.get(k);
      if (m !== undefined) claimed[m] = 1;
    }

    const changes: StoredChange[] = [];
    const counts = emptyCounts();
    const seen: SeenUser[] = [];
    // Each change is one object literal of a fixed shape per action (seq last, as before); a copy
    // per change (`{ ...c, seq }`) gave every change of a first sync a hidden class of its own.
    const error = (username: string | null, dn: string | null, userId: string | null, reason: string) => {
      counts.errors++;
      changes.push({ username, dn, userId, action: 'error', reason, data: null, seq: changes.length });
    };

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
    // Per distinct answer (see addPage), resolved once through the memo above, which stays keyed
    // as it always was (answers whose names join alike resolve alike).
    const rolesOfAnswer: (string[] | string | undefined)[] = [];
    const rolesOf = (answer: number): string[] | string => (rolesOfAnswer[answer] ??= resolveRoles(this.roleAnswers[answer]));
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
    // Role lists are shared arrays (resolved answers, a managed user's list): name each one once.
    const roleListMemo = new Map<readonly string[], string>();
    const roleListOf = (ids: readonly string[]) => {
      let v = roleListMemo.get(ids);
      if (v === undefined) roleListMemo.set(ids, (v = roleList(ids)));
      return v;
    };
    const createReasonMemo = new Map<readonly string[], string>();
    const createReason = (ids: readonly string[]) => {
      let v = createReasonMemo.get(ids);
      if (v === undefined) createReasonMemo.set(ids, (v = `roles: ${roleListOf(ids)}`));
      return v;
    };
    const NO_ERRORS: readonly ScriptErrorInfo[] = [];

    let createdActive = 0;
    let reactivated = 0;
    let deactivated = 0;

    for (let i = 0; i < n; i++) {
      const at = i * STRIDE;
      const dn = dnOf(i);
      const count = firstSlot[i + 1] - firstSlot[i];
      if (count === 0) {
        error(null, dn, null, `No username: the entry has no "${ctx.usernameAttribute}" value, so it gives no user.`);
        continue;
      }
      const ref = E[at + REF];
      const directoryId = directoryIdOfEntry(i);
      const bits = E[at + BITS];
      const active = (bits & ACTIVE_MASK) === ACTIVE_NULL ? null : (bits & ACTIVE_MASK) === 1;
      const orgAnswer = this.orgAnswers[E[at + ORG]];
      const roleAnswer = E[at + ROLES];
      const email = ref >= 0 ? users.email[ref] : full.email(-1 - ref);
      const firstName = ref >= 0 ? users.firstName[ref] : full.firstName(-1 - ref);
      const lastName = ref >= 0 ? users.lastName[ref] : full.lastName(-1 - ref);
      const errs = this.errors.size ? (this.errors.get(i) ?? NO_ERRORS) : NO_ERRORS;

      for (let j = 0; j < count; j++) {
        const username = nameAt(i, j);
        const k = keyAt(i, j);
        if (duplicate(k)) {
          const dns = entriesOfKey.get(k)!;
          const owner = byKey.get(k);
          error(username, dn, owner === undefined ? null : userIds[owner], `The username "${username}" is returned by ${dns.length} entries (${dns.slice(0, 3).join('; ')}${dns.length > 3 ? '; ...' : ''}). Fix the directory or the search filter; the user is left as is.`);
          continue;
        }
        const u = matched[firstSlot[i] + j];
        if (u >= 0) {
          const userId = userIds[u];
          const userName = users.username[u];
          const userActive = users.active(u);
          // Only users whose directory facts changed need a write (last seen is kept lazily).
          if (users.missing(u) || users.sourceDn[u] !== dn || (directoryId !== null && users.directoryId[u] !== directoryId) || users.sourceServerId[u] !== ctx.serverId) {
            seen.push({ id: userId, dn, directoryId, changed: true });
          }
          // Active
          const activeErr = scriptError(errs, 'active');
          if (active === null) {
            error(username, dn, userId, activeErr ? `${scriptMessage(activeErr)}. The user's status stays as it is.` : 'The Active script returned no result. The user\'s status stays as it is.');
          } else if (!active && userActive) {
            counts.deactivated++;
            changes.push({ username: userName, dn, userId, action: 'deactivate', reason: 'Active script returned false', data: { kind: 'deactivate', reason: 'Active script returned false' }, seq: changes.length });
            deactivated++;
          } else if (active && !userActive && users.deactivatedBy(u) === 'sync') {
            counts.reactivated++;
            changes.push({ username: userName, dn, userId, action: 'reactivate', reason: 'Returned by the search and active again', data: { kind: 'reactivate' }, seq: changes.length });
            reactivated++;
          }
          // Org name
          if (ctx.hasOrgScript) {
            const orgErr = scriptError(errs, 'orgName');
            if (orgErr) error(username, dn, userId, `${scriptMessage(orgErr)}. The user stays in their organization.`);
            else if (orgAnswer !== null) {
              const org = resolveOrg(orgAnswer);
              const userOrg = users.orgId[u];
              if (typeof org === 'string') error(username, dn, userId, `${org} The user stays where they are.`);
              else if (org.id !== userOrg) {
                counts.moved++;
                changes.push({ username: userName, dn, userId, action: 'move', from: orgsById.get(userOrg)?.name ?? userOrg, to: org.name, data: { kind: 'move', orgId: org.id }, seq: changes.length });
              }
            }
          }
          // Role name
          if (ctx.hasRoleScript) {
            const roleErr = scriptError(errs, 'roleName');
            if (roleErr) error(username, dn, userId, `${scriptMessage(roleErr)}. The roles stay as they are.`);
            else {
              const ids = rolesOf(roleAnswer);
              const userRoles = users.roleIds[u];
              if (typeof ids === 'string') error(username, dn, userId, `${ids} The roles stay as they are.`);
              else if (!sameIds(ids, userRoles)) {
                const added = ids.filter((id) => !userRoles.includes(id));
                const removed = userRoles.filter((id) => !ids.includes(id));
                const reason = [added.length ? `added ${roleList(added)}` : '', removed.length ? `removed ${roleList(removed)}` : ''].filter(Boolean).join('; ');
                counts.rolesChanged++;
                changes.push({ username: userName, dn, userId, action: 'roles', from: roleListOf(userRoles), to: roleListOf(ids), reason, data: { kind: 'roles', roleIds: ids }, seq: changes.length });
              }
            }
          }
          // Mapped fields and a renamed username.
          const userKey = userKeys[u];
          let fields: Partial<Record<'username' | 'email' | 'firstName' | 'lastName', string>> | null = null;
          let from: string[] | null = null;
          let to: string[] | null = null;
          if (k !== userKey || username !== userName) {
            const owner = k !== userKey ? ownerOf(k) : undefined;
            if (owner && owner.id !== userId) {
              error(username, dn, userId, `The entry's username changed from "${userName}" to "${username}", but a user of "${owner.orgName}" already has that name. The username stays "${userName}".`);
            } else {
              fields = { username };
              from = [`username: ${userName}`];
              to = [`username: ${username}`];
            }
          }
          // The usual case: nothing differs (compared without building anything per user).
          const userEmail = users.email[u];
          const userFirst = users.firstName[u];
          const userLast = users.lastName[u];
          if ((email !== null && email !== userEmail) || (firstName !== null && firstName !== userFirst) || (lastName !== null && lastName !== userLast)) {
            const values = [email, firstName, lastName];
            const userFields = [userEmail, userFirst, userLast];
            for (let f = 0; f < 3; f++) {
              const v = values[f];
              const name = MAPPED_FIELDS[f];
              if (v !== null && v !== userFields[f]) {
                (fields ??= {})[name] = v;
                (from ??= []).push(`${FIELD_LABELS[name]}: ${userFields[f] ?? '(none)'}`);
                (to ??= []).push(`${FIELD_LABELS[name]}: ${v}`);
              }
            }
          }
          if (from) {
            counts.updated++;
            changes.push({ username: userName, dn, userId, action: 'update', from: from.join('; '), to: to!.join('; '), data: { kind: 'update', fields: fields! }, seq: changes.length });
          }
          continue;
        }
        // No managed user: create one when the server says so.
        if (!ctx.createUsers) continue;
        const owner = ownerOf(k);
        if (owner) {
          error(username, dn, owner.id, `A user named "${username}" already exists in "${owner.orgName}", which "${ctx.serverName}" does not manage, so no user is created. Move that user to an organization that signs in with this server, or rename one of them.`);
          continue;
        }
        if (active === null) {
          const activeErr = scriptError(errs, 'active');
          error(username, dn, null, `${activeErr ? scriptMessage(activeErr) : 'The Active script returned no result'}. No user is created.`);
          continue;
        }
        if (!active) continue; // an inactive entry gets no account
        let org: OrgRef | string | null = null;
        const orgErr = ctx.hasOrgScript ? scriptError(errs, 'orgName') : undefined;
        if (orgErr) org = `${scriptMessage(orgErr)}.`;
        else if (orgAnswer !== null) org = resolveOrg(orgAnswer);
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
          error(username, dn, null, `${org} No user is created.`);
          continue;
        }
        let roleIds = NO_ROLE_IDS;
        if (ctx.hasRoleScript) {
          const roleErr = scriptError(errs, 'roleName');
          const ids = roleErr ? `${scriptMessage(roleErr)}.` : rolesOf(roleAnswer);
          if (typeof ids === 'string') {
            error(username, dn, null, `${ids} No user is created.`);
            continue;
          }
          roleIds = ids;
        }
        const id = orderedUuid();
        counts.created++;
        changes.push({
          username,
          dn,
          userId: id,
          action: 'create',
          to: org.name,
          reason: roleIds.length ? createReason(roleIds) : undefined,
          data: { kind: 'create', id, username, email, firstName, lastName, orgId: org.id, roleIds, dn, directoryId } satisfies ChangeData,
          seq: changes.length,
        });
        createdActive++;
      }
    }

    // Managed users the search did not return.
    const gone: string[] = [];
    let activeBefore = 0;
    for (let u = 0; u < users.length; u++) {
      const userActive = users.active(u);
      if (userActive) activeBefore++;
      if (!claimed[u] && !users.missing(u)) gone.push(userIds[u]);
      if (claimed[u] || !userActive) continue;
      counts.deactivated++;
      changes.push({ username: users.username[u], dn: users.sourceDn[u], userId: userIds[u], action: 'deactivate', reason: 'Not returned by the search', data: { kind: 'deactivate', reason: 'Not returned by the search' }, seq: changes.length });
      deactivated++;
    }

    const managedBefore = users.length;
    // Planned: let the entries and the managed users go before the plan is applied.
    this.release();
    return {
      changes,
      counts,
      seen,
      gone,
      entries: n,
      managedBefore,
      activeBefore,
      managedAfter: managedBefore + createdActive,
      activeAfter: activeBefore - deactivated + reactivated + createdActive,
    };
  }

  private release(): void {
    this.users = new ManagedUsers(0);
    this.byKey = new Map();
    this.entry = new Quads();
    this.full = new FullRecords();
    this.namePool = new StringPool();
    this.errors = new Map();
    this.orgAnswers = [null];
    this.orgAnswerIndex = new Map();
    this.roleAnswers = [NO_ROLES];
    this.singleRoleIndex = new Map();
    this.roleListIndex = new Map();
  }
}
