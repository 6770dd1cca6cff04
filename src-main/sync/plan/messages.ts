/**
 * Every text the planner shows admins, in one place: errors name the thing and the fix, reasons
 * say why a change is planned. The rules (the other files of this folder) only pick which one.
 */
import { SCRIPT_LABELS } from '../../../src-shared/domain/mapping';
import { visibleControls } from '../../../src-shared/text/visible-controls';
import type { ScriptErrorInfo } from '../../../src-shared/domain/scripts';

/** A script's failure for one entry, labelled with the script unless the message names it already. */
export function scriptMessage(e: ScriptErrorInfo): string {
  const label = SCRIPT_LABELS[e.script];
  const where = e.line !== undefined ? ` (line ${e.line})` : '';
  return e.message.toLowerCase().includes(label.toLowerCase()) ? `${e.message}${where}` : `${label} script: ${e.message}${where}`;
}

// Reasons of planned changes.
/** Why a returned entry's user is deactivated. */
export const REASON_ACTIVE_FALSE = 'Active script returned false';
/** Why a user deactivated by sync comes back. */
export const REASON_ACTIVE_AGAIN = 'Returned by the search and active again';
/** Why a managed user the search did not return is deactivated. */
export const REASON_NOT_RETURNED = 'Not returned by the search';

/** A role change's reason: `added A; removed B`. */
export function rolesChangedReason(added: string | null, removed: string | null): string {
  return [added !== null ? `added ${added}` : '', removed !== null ? `removed ${removed}` : ''].filter(Boolean).join('; ');
}

/** Why a DN-only change is shown: how the DN changed, and what kept the user (see dn-change.ts). */
export function dnChangedReason(how: 'renamed' | 'moved' | 'renamed and moved', sameDirectoryId: boolean): string {
  const what = how === 'moved' ? 'Moved to another container' : how === 'renamed' ? 'Renamed' : 'Renamed and moved to another container';
  return `${what} in the directory; the same ${sameDirectoryId ? 'entry (directory ID unchanged)' : 'username'}, so the user keeps their account`;
}

/**
 * A reused username: the message names both directory IDs and the fix. The account stays with the
 * old entry's person; the admin relinks it only if the new entry is the same person.
 */
export const reusedUsername = (username: string, oldId: string, newId: string, newDn: string, active: boolean) =>
  `The username "${username}" now comes from a different directory entry (${newId}, ${newDn}) than the user's (${oldId}): the old entry was deleted and the name given to a new one. ` +
  `The account is not given to the new entry${active ? ' and is deactivated' : ''}, and no user is created while it holds the name. ` +
  `If it is the same person, give them the account: ldap-sync users relink ${username}; if not, free the name for the new entry: ldap-sync users release ${username} (or Decide on this row of the plan).`;

/** The deactivation reason a reused username leaves on the old account. */
export const reusedDeactivationReason = (newId: string) => `Username taken by a different directory entry (${newId})`;

/** A created user's reason, naming its roles. */
export const createdWithRoles = (roleList: string) => `roles: ${roleList}`;

/** A list of role names in a change (none: "(none)"). */
export const NO_ROLES_TEXT = '(none)';

/** Field labels in update changes. */
export const FIELD_LABELS = { username: 'username', email: 'email', firstName: 'first name', lastName: 'last name' } as const;

/** One side of an updated field: `first name: Ann` (no value: "(none)"). */
export const fieldText = (field: keyof typeof FIELD_LABELS, value: string | null) => `${FIELD_LABELS[field]}: ${value ?? '(none)'}`;

// Errors about the entry itself.
export const noUsername = (attribute: string) => `No username: the entry has no "${attribute}" value, so it gives no user.`;

export const controlCharactersInUsername = (username: string, attribute: string) =>
  `Username "${visibleControls(username, { oneLine: true })}" contains control characters, which could hide or rewrite what is shown wherever the name appears: no user is created or changed for it. Fix the "${attribute}" value in the directory.`;

export const duplicateUsername = (username: string, dns: readonly string[]) =>
  `The username "${username}" is returned by ${dns.length} entries (${dns.slice(0, 3).join('; ')}${dns.length > 3 ? '; ...' : ''}). Fix the directory or the search filter; the user is left as is.`;

// Script answers that name nothing known.
export const unknownOrg = (name: string) => `Org name script returned "${name}", but no organization has that name. Create it, or fix the script.`;

export const orgOfOtherServer = (orgName: string, serverName: string) =>
  `Org name script returned "${orgName}", which does not sign in with "${serverName}". Set its authentication to this server, or fix the script.`;

export function unknownRoles(unknown: readonly string[]): string {
  const one = unknown.length === 1;
  return `Role name script returned ${unknown.map((n) => `"${n}"`).join(', ')}: no role has ${one ? 'that name' : 'those names'}. Create ${one ? 'it' : 'them'} on the Roles screen, or fix the script.`;
}

// Matched users: what stays as it is.
export const activeFailedKeepStatus = (scriptError: ScriptErrorInfo | undefined) =>
  scriptError ? `${scriptMessage(scriptError)}. The user's status stays as it is.` : "The Active script returned no result. The user's status stays as it is.";

export const orgFailedKeepOrg = (scriptError: ScriptErrorInfo) => `${scriptMessage(scriptError)}. The user stays in their organization.`;

export const orgUnresolvedKeepOrg = (problem: string) => `${problem} The user stays where they are.`;

export const rolesFailedKeepRoles = (scriptError: ScriptErrorInfo) => `${scriptMessage(scriptError)}. The roles stay as they are.`;

export const rolesUnresolvedKeepRoles = (problem: string) => `${problem} The roles stay as they are.`;

export const renameTaken = (from: string, to: string, ownerOrg: string) =>
  `The entry's username changed from "${from}" to "${to}", but a user of "${ownerOrg}" already has that name. The username stays "${from}".`;

// New entries: why no user is created.
export const nameTakenElsewhere = (username: string, ownerOrg: string, serverName: string) =>
  `A user named "${username}" already exists in "${ownerOrg}", which "${serverName}" does not manage, so no user is created. Move that user to an organization that signs in with this server, or rename one of them.`;

export const nameHeldByRenamedUser = (username: string, ownerOrg: string) =>
  `The username "${username}" still belongs to a user of "${ownerOrg}" whom this plan matches to another entry by directory ID (renamed in the directory), but that user's new name is taken (see their row), so they keep this one and no user is created now. Once their rename can be applied, the next sync creates this one.`;

export const activeFailedNoCreate = (scriptError: ScriptErrorInfo | undefined) =>
  `${scriptError ? scriptMessage(scriptError) : 'The Active script returned no result'}. No user is created.`;

/** A script failure as the first sentence of a "no user is created" error. */
export const scriptFailedSentence = (scriptError: ScriptErrorInfo) => `${scriptMessage(scriptError)}.`;

export const DEFAULT_ORG_GONE = "The default organization no longer exists. Choose another one in the server's Sync settings.";

export const defaultOrgOfOtherServer = (orgName: string, serverName: string) =>
  `The default organization "${orgName}" does not sign in with "${serverName}". Set its authentication to this server, or choose another default organization.`;

export const noOrgForNewUser = (hasOrgScript: boolean) =>
  `No organization for the new user: ${hasOrgScript ? 'the Org name script returned nothing and ' : ''}the server has no default organization. Choose one in the server's Sync settings${hasOrgScript ? ', or fix the script' : ''}.`;

export const noUserCreated = (problem: string) => `${problem} No user is created.`;

/** A new user needs an email (the rule the preview's "No email" problem announces). */
export const noEmailNoCreate = (emailAttribute: string) =>
  emailAttribute === ''
    ? 'No email: email is not mapped to an attribute, so no user is created. Map email in the server\'s attribute mapping (mail; in Active Directory, mail or userPrincipalName).'
    : `No email: the entry has no "${emailAttribute}" value, so no user is created. Fill in ${emailAttribute} in the directory, or map email to another attribute (in Active Directory, userPrincipalName).`;
