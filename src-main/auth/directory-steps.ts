/**
 * The directory steps every LDAP sign-in shares: search for exactly one entry, then bind as it.
 * Each ends in a step of the log; a refusal or an unreachable directory ends the attempt.
 */
import type { SignInInput, SignInResult } from '../../src-shared/domain/sign-in';
import { AppError } from '../../src-shared/errors';
import type { DirectoryEntry } from '../directory/entry';
import { attributesToFetch } from '../preview/preview-attributes';
import { DIRECTORY_ID_ATTRIBUTES } from '../sync/directory-id';
import type { AuthServer } from './auth-server';
import { bindAsUser, searchUsername } from './directory-lookup';
import * as text from './messages';
import type { StepLog } from './step-log';

/** The entry found and bound as, or the attempt's result (refused or directory unavailable). */
export type DirectoryFind = { entry: DirectoryEntry } | { result: SignInResult } | { notFound: true };

/** The attributes a sign-in asks for: the username, the mapping, what the scripts read, the directory ID. */
export function signInAttributes(server: AuthServer): string[] {
  const fetch = attributesToFetch(server.target.usernameAttribute, server.mapping, server.scripts);
  return fetch === '*' ? ['*', '+', ...DIRECTORY_ID_ATTRIBUTES] : [...fetch, ...DIRECTORY_ID_ATTRIBUTES];
}

/**
 * Searches `server` for `username` and binds as the one entry found. With `allowNotFound`, no
 * match resolves `{ notFound: true }` (a registrant: "Registrants not found" decides) instead of NOT_FOUND.
 */
export async function findInDirectory(input: SignInInput, username: string, server: AuthServer, log: StepLog, allowNotFound = false): Promise<DirectoryFind> {
  let search;
  try {
    search = await searchUsername(server.target, await server.servicePassword(), username, signInAttributes(server));
  } catch (err) {
    const error = err instanceof AppError ? err : new AppError('LDAP_ERROR', err instanceof Error ? err.message : String(err));
    log.add('search', false, `${error.code}: ${error.message}`);
    return { result: log.end('DIRECTORY_UNAVAILABLE', text.directoryUnavailable(server.name, error)) };
  }
  log.add('search', search.count === 1, `${search.filter} under ${server.target.baseDn}: ${search.count === 0 ? 'no entry' : search.count === 1 ? 'one entry' : `${search.count} entries`}\n${search.ldapsearch}`);
  if (search.count === 0) {
    if (allowNotFound) return { notFound: true };
    return { result: log.end('NOT_FOUND', text.notFound(username, server.name)) };
  }
  if (search.count > 1 || !search.entry) return { result: log.end('AMBIGUOUS', text.ambiguous(username, server.name, search.count)) };
  const entry = search.entry;
  log.add('dn', true, entry.dn);
  let bind;
  try {
    bind = await bindAsUser(server.target, entry.dn, input.password);
  } catch (err) {
    const error = err instanceof AppError ? err : new AppError('LDAP_ERROR', err instanceof Error ? err.message : String(err));
    log.add('bind', false, `${error.code}: ${error.message}`);
    return { result: log.end('DIRECTORY_UNAVAILABLE', text.directoryUnavailable(server.name, error)) };
  }
  if (!bind.ok) {
    log.add('bind', false, `Refused (${bind.error.code}) as ${entry.dn}`);
    const invalid = bind.error.code === 'INVALID_CREDENTIALS' || bind.error.code === 'BIND_FAILED';
    return { result: log.end(invalid ? 'INVALID_CREDENTIALS' : 'ACCOUNT_RESTRICTED', invalid ? text.invalidCredentials(username) : text.accountRestricted(username, bind.error)) };
  }
  log.add('bind', true, `Bound as ${entry.dn}`);
  return { entry };
}
