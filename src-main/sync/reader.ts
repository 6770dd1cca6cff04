/**
 * Reads every entry the server's search filter matches, page by page, for a sync run. Strict:
 * any directory error fails the read (connect, bind, TLS, timeout, size or time limit, referral,
 * partial results, a page that never arrives), because a sync must never mistake an outage or a
 * truncated result for absence. The next page is requested before the current one is processed,
 * so the directory prepares it while scripts run.
 */
import type { Entry, SearchResult } from 'ldapts';
import { AppError } from '../../src-shared/errors';
import { matchAllFilter } from '../../src-shared/ldap/filter';
import { bindClient, closeClient, newClient, startTlsIfNeeded } from '../ldap/client';
import { withDeadline } from '../ldap/deadline';
import { toLdapAppError } from '../ldap/ldap-errors';
import { toLdaptsFilter } from '../ldap/ldapts-filter';
import type { LdapTarget } from '../ldap/target';
import { EXPLICIT_BUFFER_ATTRIBUTES, toEntryInput } from '../preview/entry-values';
import type { EntryInput } from '../scripts/engine';

/** Entries per page: Active Directory's default MaxPageSize. */
export const SYNC_PAGE_SIZE = 1000;

export interface ReadOptions {
  target: LdapTarget;
  /** The bind password; null for an anonymous bind. */
  password: string | null;
  /** Attributes to fetch ('*' for all user attributes, plus any operational ones named). */
  attributes: string[];
  pageSize?: number;
  signal?: AbortSignal;
  /** Called once bound, before the first page. */
  onConnected?: () => void;
  /** Processes one page (synchronously, while the next page is on its way); `raw` is what ldapts returned. */
  onPage(entries: EntryInput[], raw: readonly Entry[]): void;
}

const cancelled = () => new AppError('CANCELLED', 'Cancelled by the admin. Nothing was changed.');

/** Reads every matching entry; resolves with the number of entries and pages. */
export async function readDirectory(o: ReadOptions): Promise<{ entries: number; pages: number }> {
  const t = o.target;
  if (o.signal?.aborted) throw cancelled();
  const client = newClient(t);
  const giveUp = () => void client.unbind().catch(() => {});
  let entries = 0;
  let pages = 0;
  try {
    try {
      await startTlsIfNeeded(client, t, o.signal);
      await bindClient(client, t, o.password, o.signal);
    } catch (err) {
      if (err instanceof AppError && err.code === 'CANCELLED') throw cancelled();
      throw err;
    }
    o.onConnected?.();
    const cursor = client.searchPaginated(t.baseDn, {
      scope: 'sub',
      filter: toLdaptsFilter(matchAllFilter(t.searchFilter)),
      attributes: o.attributes,
      explicitBufferAttributes: [...EXPLICIT_BUFFER_ATTRIBUTES],
      paged: { pageSize: o.pageSize ?? SYNC_PAGE_SIZE },
    });
    // A page must arrive within the timeout (plus a second for ldapts's own timer to fire first).
    const nextPage = () => withDeadline(cursor.next(), t.timeoutMs + 1000, 'search', o.signal, giveUp);
    try {
      let pending: Promise<IteratorResult<SearchResult>> = nextPage();
      for (;;) {
        const step = await pending;
        if (step.done) break;
        const page = step.value;
        if (page.searchReferences.length > 0) {
          throw new AppError(
            'REFERRAL',
            `The directory returned ${page.searchReferences.length} referral${page.searchReferences.length === 1 ? '' : 's'} to other servers (${page.searchReferences[0]}), so some entries were not read. Nothing was changed. Point the URL at a server that holds the whole search base (Active Directory: the Global Catalog, port 3268/3269).`,
          );
        }
        // Ask for the next page now: the directory prepares it while this one is processed.
        pending = nextPage();
        pending.catch(() => {});
        pages++;
        entries += page.searchEntries.length;
        o.onPage(page.searchEntries.map(toEntryInput), page.searchEntries);
        if (o.signal?.aborted) throw cancelled();
      }
    } catch (err) {
      void cursor.return(undefined).catch(() => {});
      if (err instanceof AppError && err.code === 'CANCELLED') throw cancelled();
      throw toLdapAppError(err, 'search', t);
    }
  } finally {
    await closeClient(client);
  }
  return { entries, pages };
}
