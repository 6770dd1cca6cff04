/**
 * Rules for an entry's username that matched no managed user: with "create users" on, an active
 * entry with an email gives a new user in the organization its Org name script names (else the server's default
 * organization) with the roles its Role name script names. Any doubt (the name taken elsewhere, a
 * script that failed, an organization or role that cannot be used) gives an error, not a user.
 */
import { orderedUuid } from '../../store/ordered-id';
import type { Deciding, EntryFacts } from './entry-facts';
import { scriptError } from './entry-facts';
import { activeFailedNoCreate, nameHeldByRenamedUser, nameTakenElsewhere, noEmailNoCreate, noOrgForNewUser, noUserCreated, scriptFailedSentence } from './messages';
import type { ChangeData, OrgRef } from './types';

/** The role ids of users created without a Role name script (shared: nothing modifies a plan's lists). */
const NO_ROLE_IDS: string[] = [];

/** Plans a new user for the entry's username `username` (key `k`), or the reason there is none. */
export function decideNew(d: Deciding, f: EntryFacts, username: string, k: string): void {
  const { ctx, out, answers } = d;
  if (!ctx.createUsers) return;
  const owner = d.ownerOf(k);
  // A user of this server whom this plan renames (matched to another entry by directory ID) frees
  // the name: the rename is applied first (new users are planned after every matched one).
  if (owner && !(owner.managed && d.freed?.has(k))) {
    // Else a user of this server the username did not match: another entry has them by directory
    // ID, and their rename cannot be applied (the new name is taken).
    out.error(username, f.dn, owner.id, owner.managed ? nameHeldByRenamedUser(username, owner.orgName) : nameTakenElsewhere(username, owner.orgName, ctx.serverName));
    return;
  }
  if (f.active === null) {
    out.error(username, f.dn, null, activeFailedNoCreate(scriptError(f.errors, 'active')));
    return;
  }
  if (!f.active) return; // an inactive entry gets no account
  // A new user needs an email: the preview flags an entry without one, and the sync agrees.
  if (f.email === null) {
    out.error(username, f.dn, null, noEmailNoCreate(ctx.mapping.email));
    return;
  }
  const org = newUserOrg(d, f);
  if (typeof org === 'string') {
    out.error(username, f.dn, null, noUserCreated(org));
    return;
  }
  let roleIds = NO_ROLE_IDS;
  if (ctx.hasRoleScript) {
    const roleErr = scriptError(f.errors, 'roleName');
    const ids = roleErr ? scriptFailedSentence(roleErr) : answers.rolesOf(f.roleAnswer);
    if (typeof ids === 'string') {
      out.error(username, f.dn, null, noUserCreated(ids));
      return;
    }
    roleIds = ids;
  }
  out.counts.created++;
  const reason = roleIds.length ? answers.createReason(roleIds) : undefined;
  if (ctx.applyData === false) {
    out.changes.push({ username, dn: f.dn, userId: null, action: 'create', to: org.name, reason, data: null, seq: out.changes.length });
  } else {
    const id = orderedUuid();
    const { dn, email, firstName, lastName, directoryId } = f;
    out.changes.push({
      username,
      dn,
      userId: id,
      action: 'create',
      to: org.name,
      reason,
      data: { kind: 'create', id, username, email, firstName, lastName, orgId: org.id, roleIds, dn, directoryId } satisfies ChangeData,
      seq: out.changes.length,
    });
  }
  out.createdActive++;
}

/** The new user's organization: the Org name answer, else the server's default; or why there is none. */
function newUserOrg(d: Deciding, f: EntryFacts): OrgRef | string {
  const { ctx, answers } = d;
  const orgErr = ctx.hasOrgScript ? scriptError(f.errors, 'orgName') : undefined;
  if (orgErr) return scriptFailedSentence(orgErr);
  if (f.orgAnswer !== null) return answers.org(f.orgAnswer);
  return answers.defaultOrg() ?? noOrgForNewUser(ctx.hasOrgScript);
}
