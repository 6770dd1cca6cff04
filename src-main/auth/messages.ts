/**
 * Every text a sign-in shows: refusals name the thing and the fix, in the admin's words. The
 * password never appears in any of them.
 */
import { MIN_LOCAL_PASSWORD_LENGTH } from '../../src-shared/domain/sign-in';
import type { AppError } from '../../src-shared/errors';

const q = (s: string) => `"${s}"`;

export const emptyPassword = () =>
  'Enter the password. An empty password is refused before anything is sent to the directory: a bind with a name and no password is an unauthenticated bind that many directories accept without checking anything (RFC 4513 §5.1.2).';

export const notRegistered = (username: string) =>
  `No user is named ${q(username)}. A new user signs in with their organization's registration key (Organizations screen, or ldap-sync orgs list).`;

export const unknownKey = () =>
  'No organization has this registration key. It may have been rotated: ask for the current key (Organizations screen, or ldap-sync orgs list).';

export const notFound = (username: string, server: string) =>
  `The search of ${q(server)} found no entry for ${q(username)}. Check the username, or the server's search filter and base.`;

export const ambiguous = (username: string, server: string, count: number) =>
  `The search of ${q(server)} found ${count.toLocaleString('en-US')} entries for ${q(username)}; exactly one must match. Make the username attribute unique in the directory, or narrow the server's search filter.`;

export const invalidCredentials = (username: string) => `Wrong password for ${q(username)}: the directory refused the bind.`;

/** The directory refused the account itself (AD says why: disabled, locked, expired...). */
export const accountRestricted = (username: string, error: AppError) => {
  const why: Record<string, string> = {
    BIND_ACCOUNT_DISABLED: 'the account is disabled in the directory',
    BIND_ACCOUNT_LOCKED: 'the account is locked in the directory (by an administrator, or after too many wrong passwords)',
    BIND_ACCOUNT_EXPIRED: 'the account has expired',
    BIND_PASSWORD_EXPIRED: 'the password has expired: set a new one in the directory',
    BIND_PASSWORD_MUST_CHANGE: 'the password must be changed first: change it in the directory',
    BIND_TIME_RESTRICTED: 'the account may not sign in at this time (logon hours)',
    BIND_WORKSTATION_RESTRICTED: 'the account may not sign in from this computer',
    BIND_USER_NOT_FOUND: 'the directory has no such account',
  };
  return `The directory refused ${q(username)}: ${why[error.code] ?? error.message}.`;
};

export const directoryUnavailable = (server: string, error: AppError) =>
  `The directory of ${q(server)} could not be asked: ${error.message} Nothing was decided about the user.`;

export const deactivated = (username: string, by: 'sync' | 'admin' | null, reason: string | null, at: string | null) =>
  by === 'admin'
    ? `${q(username)} was deactivated by an admin${at ? ` on ${at.slice(0, 10)}` : ''}. An admin can reactivate them: ldap-sync users reactivate ${username}.`
    : `${q(username)} was deactivated by a sync${at ? ` on ${at.slice(0, 10)}` : ''}${reason ? ` (${reason})` : ''}. The next sync reactivates them when the directory makes them active again.`;

export const otherEntry = (username: string, dn: string) =>
  `The directory entry that has the username ${q(username)} now (${dn}) is not the one the user was created from: the username was given to another entry. An admin decides: the same person, ldap-sync users relink ${username}; someone else, ldap-sync users release ${username}.`;

export const noLocalPassword = (username: string) =>
  `${q(username)} has no local password yet. Set one: ldap-sync users passwd ${username} --password-stdin (or the user's page in the app).`;

export const wrongLocalPassword = (username: string) => `Wrong password for ${q(username)}: it is not their local password.`;

export const inactiveInDirectory = (username: string) => `The Active script returned false for ${q(username)}'s entry: inactive users cannot register.`;

export const scriptFailed = (text: string) => `${text} The registration was refused; fix the script (Test with the entry on the server's page).`;

export const registrantsDenied = (username: string, server: string) =>
  `The search of ${q(server)} found no entry for ${q(username)}, and "Registrants not found" is set to deny. Add the person to the directory, or choose an organization for them on the Sync screen.`;

export const placeOrgUnusable = (org: string) =>
  `"Registrants not found" names ${q(org)}, which does not exist or signs in with LDAP. Choose an organization with local authentication on the Sync screen.`;

export const localPasswordTooShort = (length: number) =>
  `This organization checks a local password, and it needs at least ${MIN_LOCAL_PASSWORD_LENGTH} characters (this one has ${length}).`;

export const noEmail = (attribute: string, username: string) =>
  `${q(username)}'s entry has no ${q(attribute)} value: a new user needs an email. Add it in the directory, or map another attribute.`;

export const registered = (username: string, org: string, device: string | null, dryRun: boolean) =>
  dryRun
    ? `${q(username)} may register: they would be added to ${q(org)}${device ? ` with the device ${q(device)}` : ''}. Turn on Register (--register) to record it.`
    : `${q(username)} registered in ${q(org)}${device ? ` with the device ${q(device)}` : ''}.`;

export const signedIn = (username: string, device: string | null, deviceAdded: boolean) =>
  `${q(username)} may sign in.${device ? (deviceAdded ? ` The device ${q(device)} was added.` : ` The device ${q(device)} is theirs already.`) : ''}`;
