/**
 * The directory half of a sign-in: find the one entry whose username is the typed one (bound as
 * the server's own account), then bind as that entry with the typed password.
 *
 * Both run on the main thread with ldapts, not in the read worker the sync uses: a sign-in reads
 * at most two entries (sizeLimit 2) of a few attributes, so decoding costs microseconds, and every
 * operation is bounded by the server's timeout (withDeadline), as the preview's pages are.
 */
import type { Client } from 'ldapts';
import { AppError } from '../../src-shared/errors';
import { usernameSearchFilter } from '../../src-shared/ldap/username-search';
import { EXPLICIT_BUFFER_ATTRIBUTES } from '../directory/binary-attributes';
import type { DirectoryEntry } from '../directory/entry';
import { closeClient, connect } from '../ldap/client';
import { countEntries } from '../ldap/count';
import { withDeadline } from '../ldap/deadline';
import { toLdapAppError } from '../ldap/ldap-errors';
import { ldapsearchFor } from '../ldap/ldapsearch-command';
import { toLdaptsFilter } from '../ldap/ldapts-filter';
import type { LdapTarget } from '../ldap/target';
import { toEntryInput } from '../preview/entry-values';

/** What the search found: the filter and its `ldapsearch` line, and the entries (at most one, unless `count` > 1). */
export interface UsernameSearch {
  filter: string;
  ldapsearch: string;
  /** How many entries match (exact: counted again when more than one came back). */
  count: number;
  entry: DirectoryEntry | null;
}

/**
 * Searches the target's base for `username` with the server's filter, its `?` replaced by the
 * username escaped per RFC 4515, bound as the server's own account (`servicePassword`).
 * Directory problems throw AppErrors naming the cause (see toLdapAppError).
 */
export async function searchUsername(t: LdapTarget, servicePassword: string | null, username: string, attributes: readonly string[]): Promise<UsernameSearch> {
  const filter = usernameSearchFilter(t.searchFilter, username, 'exact');
  const ldapsearch = ldapsearchFor(t, { filter, attributes, pageSize: 2 }).replace(' -E pr=2/noprompt', ' -z 2');
  const client = await connect(t, servicePassword);
  try {
    const found = await search(client, t, filter, attributes);
    if (found.length <= 1) return { filter, ldapsearch, count: found.length, entry: found[0] ? toEntryInput(found[0]) : null };
    // More than one: the admin needs the real number to fix the filter or the directory.
    const count = await withDeadline(countEntries(client, t, undefined, undefined, filter), t.timeoutMs * 2, 'search', undefined, () => void closeClient(client));
    return { filter, ldapsearch, count, entry: null };
  } finally {
    await closeClient(client);
  }
}

async function search(client: Client, t: LdapTarget, filter: string, attributes: readonly string[]) {
  try {
    const r = await withDeadline(
      client.search(t.baseDn, {
        scope: 'sub',
        filter: toLdaptsFilter(filter),
        attributes: [...attributes],
        explicitBufferAttributes: [...EXPLICIT_BUFFER_ATTRIBUTES],
        // Two are enough to know "more than one"; ldapts returns them with sizeLimitExceeded.
        sizeLimit: 2,
        timeLimit: Math.ceil(t.timeoutMs / 1000),
      }),
      t.timeoutMs,
      'search',
      undefined,
      () => void closeClient(client),
    );
    return r.searchEntries;
  } catch (err) {
    throw toLdapAppError(err, 'search', t);
  }
}

/** How the user's own bind ended: accepted, or refused with the directory's reason (its AppError code). */
export type UserBind = { ok: true } | { ok: false; error: AppError };

/** Error codes that mean the directory answered "no" for this account (not "cannot talk to the directory"). */
const REFUSALS = new Set(['INVALID_CREDENTIALS', 'BIND_FAILED', 'BIND_USER_NOT_FOUND', 'BIND_ACCOUNT_DISABLED', 'BIND_ACCOUNT_EXPIRED', 'BIND_ACCOUNT_LOCKED', 'BIND_PASSWORD_EXPIRED', 'BIND_PASSWORD_MUST_CHANGE', 'BIND_TIME_RESTRICTED', 'BIND_WORKSTATION_RESTRICTED']);

/**
 * Binds as `dn` with the user's password on a connection of its own (same URL, TLS and trusted
 * certificates as the server). The password goes into this bind and nowhere else. An empty
 * password must be refused before (RFC 4513 5.1.2: it would be an unauthenticated bind).
 * Refusals resolve; connection problems throw.
 */
export async function bindAsUser(t: LdapTarget, dn: string, password: string): Promise<UserBind> {
  if (password === '') throw new AppError('INTERNAL', 'An empty password reached the bind.');
  try {
    const client = await connect({ ...t, bindAnonymously: false, bindDn: dn }, password);
    await closeClient(client);
    return { ok: true };
  } catch (err) {
    if (err instanceof AppError && REFUSALS.has(err.code)) return { ok: false, error: err };
    throw err;
  }
}
