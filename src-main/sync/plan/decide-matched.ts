/**
 * Rules for an entry's username that matched a managed user: its directory facts are refreshed (a
 * new DN shown as a change of its own: dn-change.ts), and the Active, Org name and Role name answers and the mapped fields are compared with the user.
 * A script that failed or an answer that names nothing known leaves that part of the user as it is.
 */
import { decideDnChange } from './dn-change';
import type { EntryFacts, Deciding } from './entry-facts';
import { scriptError } from './entry-facts';
import {
  activeFailedKeepStatus,
  fieldText,
  orgFailedKeepOrg,
  orgUnresolvedKeepOrg,
  REASON_ACTIVE_AGAIN,
  REASON_ACTIVE_FALSE,
  renameTaken,
  rolesChangedReason,
  rolesFailedKeepRoles,
  rolesUnresolvedKeepRoles,
} from './messages';

type Fields = Partial<Record<'username' | 'email' | 'firstName' | 'lastName', string>>;
const MAPPED_FIELDS = ['email', 'firstName', 'lastName'] as const;

/** Two sorted id lists hold the same ids. */
function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Plans what changes for managed user `u`, matched by the entry's username `username` (key `k`). */
export function decideMatched(d: Deciding, f: EntryFacts, username: string, k: string, u: number): void {
  const { ctx, users, out } = d;
  const { dn, directoryId } = f;
  const userId = users.id[u];
  // Only users whose directory facts changed need a write (last seen is kept lazily).
  if (users.missing(u) || users.sourceDn[u] !== dn || (directoryId !== null && users.directoryId[u] !== directoryId) || users.sourceServerId[u] !== ctx.serverId) {
    out.seen.push({ id: userId, dn, directoryId, changed: true });
    decideDnChange(d, f, u);
  }
  decideActive(d, f, username, u);
  if (ctx.hasOrgScript) decideOrg(d, f, username, u);
  if (ctx.hasRoleScript) decideRoles(d, f, username, u);
  decideFields(d, f, username, k, u);
}

/** Active false deactivates; Active true reactivates a user that sync (not an admin) deactivated. */
function decideActive(d: Deciding, f: EntryFacts, username: string, u: number): void {
  const { users, out } = d;
  const active = f.active;
  const userActive = users.active(u);
  if (active === null) {
    out.error(username, f.dn, users.id[u], activeFailedKeepStatus(scriptError(f.errors, 'active')));
  } else if (!active && userActive) {
    out.deactivate(users.username[u], f.dn, users.id[u], REASON_ACTIVE_FALSE);
  } else if (active && !userActive && users.deactivatedBy(u) === 'sync') {
    out.counts.reactivated++;
    out.changes.push({ username: users.username[u], dn: f.dn, userId: users.id[u], action: 'reactivate', reason: REASON_ACTIVE_AGAIN, data: { kind: 'reactivate' }, seq: out.changes.length });
    out.reactivated++;
  }
}

/** An Org name answer naming another organization of this server moves the user there. */
function decideOrg(d: Deciding, f: EntryFacts, username: string, u: number): void {
  const { users, out, answers } = d;
  const orgErr = scriptError(f.errors, 'orgName');
  if (orgErr) out.error(username, f.dn, users.id[u], orgFailedKeepOrg(orgErr));
  else if (f.orgAnswer !== null) {
    const org = answers.org(f.orgAnswer);
    const userOrg = users.orgId[u];
    if (typeof org === 'string') out.error(username, f.dn, users.id[u], orgUnresolvedKeepOrg(org));
    else if (org.id !== userOrg) {
      out.counts.moved++;
      out.changes.push({ username: users.username[u], dn: f.dn, userId: users.id[u], action: 'move', from: answers.orgName(userOrg), to: org.name, data: { kind: 'move', orgId: org.id }, seq: out.changes.length });
    }
  }
}

/** Role name answers replace the user's roles when they differ (no answer: no roles). */
function decideRoles(d: Deciding, f: EntryFacts, username: string, u: number): void {
  const { users, out, answers } = d;
  const roleErr = scriptError(f.errors, 'roleName');
  if (roleErr) {
    out.error(username, f.dn, users.id[u], rolesFailedKeepRoles(roleErr));
    return;
  }
  const ids = answers.rolesOf(f.roleAnswer);
  const userRoles = users.roleIds[u];
  if (typeof ids === 'string') out.error(username, f.dn, users.id[u], rolesUnresolvedKeepRoles(ids));
  else if (!sameIds(ids, userRoles)) {
    const added = ids.filter((id) => !userRoles.includes(id));
    const removed = userRoles.filter((id) => !ids.includes(id));
    const reason = rolesChangedReason(added.length ? answers.roleList(added) : null, removed.length ? answers.roleList(removed) : null);
    out.counts.rolesChanged++;
    out.changes.push({ username: users.username[u], dn: f.dn, userId: users.id[u], action: 'roles', from: answers.roleListOf(userRoles), to: answers.roleListOf(ids), reason, data: { kind: 'roles', roleIds: ids }, seq: out.changes.length });
  }
}

/**
 * A renamed username (unless another user has it) and mapped fields that differ give one update.
 * An unmapped or empty field never clears the user's value.
 */
function decideFields(d: Deciding, f: EntryFacts, username: string, k: string, u: number): void {
  const { users, out } = d;
  const userId = users.id[u];
  const userName = users.username[u];
  const userKey = users.usernameKey[u];
  let fields: Fields | null = null;
  let from: string[] | null = null;
  let to: string[] | null = null;
  if (k !== userKey || username !== userName) {
    const owner = k !== userKey ? d.ownerOf(k) : undefined;
    if (owner && owner.id !== userId) {
      out.error(username, f.dn, userId, renameTaken(userName, username, owner.orgName));
    } else {
      fields = { username };
      if (k !== userKey) d.freed?.add(userKey);
      from = [fieldText('username', userName)];
      to = [fieldText('username', username)];
    }
  }
  // The usual case: nothing differs (compared without building anything per user).
  const { email, firstName, lastName } = f;
  const userEmail = users.email[u];
  const userFirst = users.firstName[u];
  const userLast = users.lastName[u];
  if ((email !== null && email !== userEmail) || (firstName !== null && firstName !== userFirst) || (lastName !== null && lastName !== userLast)) {
    const values = [email, firstName, lastName];
    const userFields = [userEmail, userFirst, userLast];
    for (let i = 0; i < 3; i++) {
      const v = values[i];
      const name = MAPPED_FIELDS[i];
      if (v !== null && v !== userFields[i]) {
        (fields ??= {})[name] = v;
        (from ??= []).push(fieldText(name, userFields[i]));
        (to ??= []).push(fieldText(name, v));
      }
    }
  }
  if (from) {
    out.counts.updated++;
    out.changes.push({ username: userName, dn: f.dn, userId, action: 'update', from: from.join('; '), to: to!.join('; '), data: { kind: 'update', fields: fields! }, seq: out.changes.length });
  }
}
