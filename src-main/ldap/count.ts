import type { Client } from 'ldapts';
import { AppError } from '../../src-shared/errors';
import { matchAllFilter } from '../../src-shared/ldap/filter';
import { toLdapAppError } from './ldap-errors';
import type { DirectoryKind } from './directory-kind';
import { toLdaptsFilter } from './ldapts-filter';
import type { LdapTarget } from './target';
import { DEFAULT_PAGE_SIZE, pageSizeOf } from '../../src-shared/domain/page-size';

/** Default page size for counting; 1000 matches Active Directory's default MaxPageSize. The server's Page size overrides it. */
export const COUNT_PAGE_SIZE = DEFAULT_PAGE_SIZE;

/**
 * Counts the entries the search filter matches with `?` turned into `*` (or the given filter text),
 * page by page, asking for no attributes, so the count is exact and memory stays flat whatever the
 * directory's size.
 */
export async function countEntries(
  client: Client,
  t: LdapTarget,
  signal?: AbortSignal,
  onPage?: (count: number) => void,
  filterText: string = matchAllFilter(t.searchFilter),
  /** Collects the continuation references the search returns (the doctor and the preview report them: ldap/referrals.ts). */
  references?: string[],
  /** The directory in use (from its root DSE), so a limit message names its settings. */
  kind: DirectoryKind = null,
): Promise<number> {
  let count = 0;
  try {
    const pages = client.searchPaginated(t.baseDn, {
      scope: 'sub',
      filter: toLdaptsFilter(filterText),
      attributes: ['1.1'],
      paged: { pageSize: pageSizeOf(t) },
    });
    for await (const page of pages) {
      if (signal?.aborted) throw new AppError('CANCELLED', 'Cancelled by the admin.');
      count += page.searchEntries.length;
      references?.push(...page.searchReferences);
      onPage?.(count);
    }
  } catch (err) {
    throw toLdapAppError(err, 'search', t, kind);
  }
  return count;
}
