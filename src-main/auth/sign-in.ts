/**
 * The sign-in path (issue 14): a username and password, and for a new user a registration key.
 *
 *   existing user ── local org ──► local password ──► account active? ──► OK
 *        │           LDAP org ───► search (exactly one) ──► bind as its DN ──► account active? ──► OK
 *   new user ── key ──► its org ── local ──► (local password rules) ──► register
 *                                  LDAP ───► search ── none ──► "Registrants not found": deny / place
 *                                               └── one ──► bind ──► scripts ──► register
 *
 * The password is checked before the account's state is told: someone without it learns nothing
 * about the account. An empty password ends the attempt before any bind.
 */
import type Database from 'better-sqlite3';
import type { SignInInput, SignInResult, SignInUser } from '../../src-shared/domain/sign-in';
import type { UserView } from '../../src-shared/domain/directory';
import { AppError } from '../../src-shared/errors';
import { getOrganization, type OrganizationRow } from '../store/organizations-repo';
import { localPasswordHash } from '../store/local-passwords-repo';
import { organizationByRegistrationKey } from '../store/registration-keys-repo';
import { findUser } from '../store/users-repo';
import { directoryIdOf } from '../sync/directory-id';
import type { ScriptRunner } from '../scripts/script-runner';
import type { AuthServer } from './auth-server';
import { findInDirectory } from './directory-steps';
import * as text from './messages';
import { verifyPassword } from './password-hash';
import { registerInDirectoryOrg, registerInLocalOrg } from './registration';
import { addDevice } from './record-registration';
import { StepLog } from './step-log';

/** What a sign-in needs around it. */
export interface SignInDeps {
  db: Database.Database;
  now: () => Date;
  /** The saved server `id` as a sign-in uses it; throws NOT_FOUND when it is gone. */
  server(id: string): Promise<AuthServer>;
  /** The script engine (Active, Org name and Role name run on a registrant's entry). */
  scripts(): Promise<ScriptRunner>;
  /** "Registrants not found": deny, or place them in a local organization. */
  registrantsNotFound(): { action: 'deny' } | { action: 'placeInOrg'; org: string };
}

/** Runs one sign-in attempt. Never throws for the user's own mistakes: those are results with a code. */
export async function signIn(deps: SignInDeps, input: SignInInput): Promise<SignInResult> {
  const log = new StepLog();
  const username = input.username.trim();
  if (input.password === '') return log.end('EMPTY_PASSWORD', text.emptyPassword());
  const existing = findUser(deps.db, username);
  if (existing) return existingUser(deps, input, existing, log);
  const key = input.registrationKey?.trim() ?? '';
  if (key === '') return log.end('NOT_REGISTERED', text.notRegistered(username));
  const org = organizationByRegistrationKey(deps.db, key);
  if (!org) {
    log.add('organization', false, 'No organization has this registration key.');
    return log.end('UNKNOWN_REGISTRATION_KEY', text.unknownKey());
  }
  if (org.authServerId === null) {
    // A key of a local organization never consults the directory.
    log.add('organization', true, `${org.name} (from the registration key): local sign-in, the directory is not consulted`);
    return registerInLocalOrg(deps, input, username, org, log, null);
  }
  const server = await serverOr(deps, org.authServerId, org, log);
  if ('result' in server) return server.result;
  log.add('organization', true, `${org.name} (from the registration key): signs in with "${server.name}" (${server.target.scheme}://${server.target.host}:${server.target.port})`);
  return registerInDirectoryOrg(deps, input, username, org, server, log);
}

/** A user who already has an account. */
async function existingUser(deps: SignInDeps, input: SignInInput, user: UserView, log: StepLog): Promise<SignInResult> {
  const org = getOrganization(deps.db, user.orgId) as OrganizationRow;
  if (org.authServerId === null) {
    log.add('organization', true, `${org.name}: local sign-in (user ${user.username})`);
    const hash = localPasswordHash(deps.db, user.id);
    if (hash === null) {
      log.add('local password', false, 'No local password is set.');
      return log.end('NO_LOCAL_PASSWORD', text.noLocalPassword(user.username), userOf(user, 'local'));
    }
    const ok = await verifyPassword(input.password, hash);
    log.add('local password', ok, ok ? 'The password matches the local password (scrypt).' : 'The password does not match.');
    if (!ok) return log.end('INVALID_CREDENTIALS', text.wrongLocalPassword(user.username), userOf(user, 'local'));
    return accountStep(deps, input, user, log, 'local');
  }
  const server = await serverOr(deps, org.authServerId, org, log);
  if ('result' in server) return server.result;
  log.add('organization', true, `${org.name}: signs in with "${server.name}" (${server.target.scheme}://${server.target.host}:${server.target.port}) (user ${user.username})`);
  const found = await findInDirectory(input, user.username, server, log);
  if ('result' in found) return found.result;
  if (!('entry' in found)) throw new AppError('INTERNAL', 'The search of a known user cannot end as a registrant not found.');
  // A username re-used by another entry (another directory ID) is not this user, even with its password.
  const entryId = directoryIdOf(found.entry);
  if (user.directoryId !== null && entryId !== null && entryId !== user.directoryId) {
    log.add('account', false, `The entry's directory ID is ${entryId}; the user's is ${user.directoryId}.`);
    return log.end('OTHER_ENTRY', text.otherEntry(user.username, found.entry.dn), userOf(user, server.name));
  }
  return accountStep(deps, input, user, log, server.name);
}

/** The stored account's state decides, once the password was right; a device may be added. */
function accountStep(deps: SignInDeps, input: SignInInput, user: UserView, log: StepLog, source: string): SignInResult {
  if (!user.active) {
    const message = text.deactivated(user.username, user.deactivatedBy, user.deactivatedReason, user.deactivatedAt);
    log.add('account', false, `Deactivated by ${user.deactivatedBy === 'admin' ? 'an admin' : 'a sync'}${user.deactivatedReason ? `: ${user.deactivatedReason}` : ''}`);
    return log.end('DEACTIVATED', message, userOf(user, source));
  }
  log.add('account', true, `Active, in ${user.orgName}${user.roles.length ? `, roles ${user.roles.join(', ')}` : ''}`);
  let deviceAdded = false;
  if (input.register && input.device) {
    deviceAdded = addDevice(deps.db, user.id, input.device, deps.now());
    log.add('registration', true, deviceAdded ? `Device "${input.device}" added.` : `Device "${input.device}" was already theirs.`);
  }
  return log.end('OK', text.signedIn(user.username, input.device, deviceAdded), userOf(user, source), deviceAdded);
}

/** The organization's saved server, or the attempt's end when it cannot be used (gone, offline, unfinished form). */
async function serverOr(deps: SignInDeps, id: string, org: OrganizationRow, log: StepLog): Promise<AuthServer | { result: SignInResult }> {
  try {
    return await deps.server(id);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    log.add('organization', false, `${org.name}: its LDAP server cannot be used: ${err.message}`);
    return { result: log.end('DIRECTORY_UNAVAILABLE', `${org.name} signs in with an LDAP server that cannot be used: ${err.message}`) };
  }
}

/** The user as a result shows them. */
export function userOf(u: UserView, source: string): SignInUser {
  return { username: u.username, email: u.email, org: u.orgName, roles: u.roles, active: u.active, source };
}
