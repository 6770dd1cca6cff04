/**
 * New users with a registration key: in a local organization (a local password, the directory is
 * never asked), or in an LDAP organization (their entry is found and bound as, then the Active,
 * Org name and Role name scripts run on it, as a sync would run them).
 */
import type { SignInInput, SignInResult } from '../../src-shared/domain/sign-in';
import { MIN_LOCAL_PASSWORD_LENGTH } from '../../src-shared/domain/sign-in';
import { AppError } from '../../src-shared/errors';
import type { DirectoryEntry } from '../directory/entry';
import { valuesByName } from '../directory/entry';
import { findOrganizationByName, type OrganizationRow } from '../store/organizations-repo';
import { findRoleByName } from '../store/roles-repo';
import { nameKey } from '../store/name-key';
import { directoryIdOf } from '../sync/directory-id';
import { scriptMessage } from '../sync/plan/messages';
import type { AuthServer } from './auth-server';
import { findInDirectory } from './directory-steps';
import * as text from './messages';
import { hashPassword } from './password-hash';
import { recordRegistration } from './record-registration';
import type { SignInDeps } from './sign-in';
import type { StepLog } from './step-log';

/** A registrant of a local organization (by its key, or placed there as a registrant not found). */
export async function registerInLocalOrg(deps: SignInDeps, input: SignInInput, username: string, org: OrganizationRow, log: StepLog, from: AuthServer | null): Promise<SignInResult> {
  const length = [...input.password].length;
  if (length < MIN_LOCAL_PASSWORD_LENGTH) {
    log.add('local password', false, `Too short: ${length} characters, at least ${MIN_LOCAL_PASSWORD_LENGTH} needed.`);
    return log.end('REGISTRATION_DENIED', text.localPasswordTooShort(length));
  }
  log.add('local password', true, `Becomes their local password (scrypt, a salt of their own)${from ? `; the directory of "${from.name}" does not know them` : ''}.`);
  const user = { username, email: null, org: org.name, roles: [], active: true, source: 'local' };
  if (!input.register) return log.end('OK', text.registered(username, org.name, input.device, true), user, false);
  const passwordHash = await hashPassword(input.password);
  recordRegistration(deps.db, { username, orgId: org.id }, { passwordHash, device: input.device }, deps.now());
  log.add('registration', true, `Added to ${org.name}${input.device ? ` with the device "${input.device}"` : ''}.`);
  return log.end('OK', text.registered(username, org.name, input.device, false), user, true);
}

/** A registrant of an LDAP organization. */
export async function registerInDirectoryOrg(deps: SignInDeps, input: SignInInput, username: string, keyOrg: OrganizationRow, server: AuthServer, log: StepLog): Promise<SignInResult> {
  const found = await findInDirectory(input, username, server, log, true);
  if ('result' in found) return found.result;
  if ('notFound' in found) return registrantNotFound(deps, input, username, server, log);
  const { entry } = found;
  let outcome;
  try {
    const engine = await deps.scripts();
    const groups = server.groups ? await server.groups() : undefined;
    outcome = (await engine.evaluate(server.scripts, [entry], { captureLogs: false, groups })).outcomes[0];
  } catch (err) {
    const message = err instanceof AppError ? err.message : String(err);
    log.add('scripts', false, message);
    return log.end('REGISTRATION_DENIED', text.scriptFailed(`The scripts could not run: ${message}`));
  }
  if (outcome.errors.length > 0) {
    const messages = outcome.errors.map((e) => scriptMessage(e));
    log.add('scripts', false, messages.join('\n'));
    return log.end('REGISTRATION_DENIED', text.scriptFailed(`${messages[0]}.`));
  }
  const said = [`Active: ${outcome.active}`, server.scripts.orgName !== null ? `Org name: ${outcome.org ?? '(none)'}` : 'Org name: no script', server.scripts.roleName !== null ? `Role name: ${outcome.roles.length ? outcome.roles.join(', ') : '(none)'}` : 'Role name: no script'];
  const org = registrantOrg(deps, outcome.org, keyOrg, server);
  const roles = typeof org === 'string' ? [] : registrantRoles(deps, outcome.roles);
  const problem = outcome.active === false ? null : typeof org === 'string' ? org : typeof roles === 'string' ? roles : null;
  log.add('scripts', outcome.active === true && problem === null, said.join('; ') + (problem ? `\n${problem}` : ''));
  if (outcome.active !== true) return log.end('INACTIVE_IN_DIRECTORY', text.inactiveInDirectory(username));
  if (typeof org === 'string') return log.end('REGISTRATION_DENIED', org);
  if (typeof roles === 'string') return log.end('REGISTRATION_DENIED', roles);
  const stored = storedUsername(entry, server.target.usernameAttribute, username);
  const email = valuesByName(entry, server.mapping.email)[0] ?? null;
  if (email === null) return log.end('REGISTRATION_DENIED', text.noEmail(server.mapping.email, stored));
  const user = { username: stored, email, org: org.name, roles: roles.map((r) => r.name), active: true, source: server.name };
  if (!input.register) return log.end('OK', text.registered(stored, org.name, input.device, true), user, false);
  recordRegistration(
    deps.db,
    {
      username: stored,
      email,
      firstName: valuesByName(entry, server.mapping.firstName)[0] ?? null,
      lastName: valuesByName(entry, server.mapping.lastName)[0] ?? null,
      orgId: org.id,
      roleIds: roles.map((r) => r.id),
      sourceServerId: server.id,
      sourceDn: entry.dn,
      directoryId: directoryIdOf(entry),
    },
    { passwordHash: null, device: input.device },
    deps.now(),
  );
  log.add('registration', true, `Added to ${org.name}${input.device ? ` with the device "${input.device}"` : ''}; the sync of "${server.name}" manages them from now on.`);
  return log.end('OK', text.registered(stored, org.name, input.device, false), user, true);
}

/** "Registrants not found": deny, or place the person in a local organization with this password as their local one. */
async function registrantNotFound(deps: SignInDeps, input: SignInInput, username: string, server: AuthServer, log: StepLog): Promise<SignInResult> {
  const rule = deps.registrantsNotFound();
  if (rule.action === 'deny') return log.end('REGISTRATION_DENIED', text.registrantsDenied(username, server.name));
  const org = findOrganizationByName(deps.db, rule.org);
  if (!org || org.authServerId !== null) return log.end('REGISTRATION_DENIED', text.placeOrgUnusable(rule.org));
  log.add('organization', true, `${org.name}: "Registrants not found" places them there (local sign-in)`);
  return registerInLocalOrg(deps, input, username, org, log, server);
}

/** The Org name answer's organization (it must sign in with this server), else the key's; or why not. */
function registrantOrg(deps: SignInDeps, answer: string | null, keyOrg: OrganizationRow, server: AuthServer): OrganizationRow | string {
  if (server.scripts.orgName === null || answer === null || answer.trim() === '') return keyOrg;
  const org = findOrganizationByName(deps.db, answer);
  if (!org) return `The Org name script returned "${answer}", but no organization has that name. Create it, or fix the script.`;
  if (org.authServerId !== server.id) return `The Org name script returned "${org.name}", which does not sign in with "${server.name}". Set its authentication to this server, or fix the script.`;
  return org;
}

/** The Role name answer's roles, or why they cannot be given. */
function registrantRoles(deps: SignInDeps, names: readonly string[]): { id: string; name: string }[] | string {
  const roles: { id: string; name: string }[] = [];
  const unknown: string[] = [];
  for (const n of names) {
    if (n.trim() === '') continue;
    const r = findRoleByName(deps.db, n);
    if (r) roles.push({ id: r.id, name: r.name });
    else unknown.push(n);
  }
  if (unknown.length) return `The Role name script returned ${unknown.map((n) => `"${n}"`).join(', ')}: no role has ${unknown.length === 1 ? 'that name' : 'those names'}. Create ${unknown.length === 1 ? 'it' : 'them'} on the Roles screen, or fix the script.`;
  return [...new Map(roles.map((r) => [r.id, r])).values()];
}

/** The username as the directory spells it (the value of the username attribute that matches), else as typed. */
function storedUsername(entry: DirectoryEntry, attribute: string, typed: string): string {
  return valuesByName(entry, attribute).find((v) => nameKey(v) === nameKey(typed)) ?? typed;
}
