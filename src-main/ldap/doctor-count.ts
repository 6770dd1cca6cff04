/**
 * The doctor's match count, with two admin-facing extras: a count of 0 warns that a filter matching
 * nobody would deactivate every managed user, and a size or administrative limit hit with the
 * server's page size is counted again with smaller pages, because 389-ds applies its size limit per
 * page: when a smaller page reads every entry, the doctor names that Directory page size.
 */
import type { Client } from 'ldapts';
import { AppError } from '../../src-shared/errors';
import { countEntries } from './count';
import type { DirectoryKind } from './directory-kind';
import { pageSizeOf } from '../../src-shared/domain/page-size';
import type { LdapTarget } from './target';

/** Page sizes tried after a limit, largest first (only those below the server's own). */
export const SMALLER_PAGE_SIZES: readonly number[] = [200, 50];

/** The warning shown with 0 matches: the bind can read the base but sees no entry below it. */
export const NOBODY_WARNING = (bindDn: string) =>
  `Warning: a filter matching nobody would deactivate every managed user (a sync refuses an empty result, so nothing would be synced). Check the filter, and that "${bindDn || 'anonymous'}" may read the entries below the base, not only the base (389-ds: a read ACI; OpenLDAP: an access rule; Active Directory: List contents / Read permissions).`;

/**
 * Counts the matches with the target's page size; after a size limit, counts again with the
 * smaller page sizes and, when one reads every entry, throws the limit error with the fix added.
 */
export async function countWithPageHint(client: Client, t: LdapTarget, kind: DirectoryKind, refs: string[], signal?: AbortSignal): Promise<number> {
  try {
    return await countEntries(client, t, signal, undefined, undefined, refs, kind);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'SIZE_LIMIT') throw err;
    const size = pageSizeOf(t);
    for (const smaller of SMALLER_PAGE_SIZES.filter((s) => s < size)) {
      let count: number;
      try {
        count = await countEntries(client, { ...t, pageSize: smaller }, signal, undefined, undefined, [], kind);
      } catch {
        continue;
      }
      throw new AppError(
        'SIZE_LIMIT',
        `${err.message} With a page size of ${smaller} the same search reads all ${count.toLocaleString('en-US')} ${count === 1 ? 'entry' : 'entries'}: the directory applies its limit per page. Set Directory page size to ${smaller} in the server's settings (config file: "pageSize": ${smaller}), or raise the limit.`,
      );
    }
    throw err;
  }
}
