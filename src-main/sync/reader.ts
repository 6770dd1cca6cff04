/**
 * Reads every entry the server's search filter matches, page by page, for a sync run. Strict:
 * any directory error fails the read (connect, bind, TLS, timeout, size or time limit, referral,
 * partial results, a page that never arrives), because a sync must never mistake an outage or a
 * truncated result for absence. The next page is requested before the current one is processed,
 * so the directory prepares it while scripts run.
 */
import type { Socket } from 'node:net';
import { AppError } from '../../src-shared/errors';
import { matchAllFilter } from '../../src-shared/ldap/filter';
import { bindClient, closeClient, newClient, startTlsIfNeeded } from '../ldap/client';
import { withDeadline } from '../ldap/deadline';
import { toLdapAppError } from '../ldap/ldap-errors';
import { toLdaptsFilter } from '../ldap/ldapts-filter';
import type { DirectoryEntry } from '../directory/entry';
import { PagedSearch, type SearchPage } from '../ldap/search-stream';
import type { LdapTarget } from '../ldap/target';

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
  /** Processes one page (while the next page is on its way); a returned promise is awaited before the next page is handed over. */
  onPage(entries: DirectoryEntry[]): void | Promise<void>;
}

const cancelled = () => new AppError('CANCELLED', 'Cancelled by the admin. Nothing was changed.');

/** Reads every matching entry; resolves with the number of entries and pages. */
export async function readDirectory(o: ReadOptions): Promise<{ entries: number; pages: number }> {
  const t = o.target;
  if (o.signal?.aborted) throw cancelled();
  const conn: { socket: Socket | null } = { socket: null };
  const client = newClient(t, (s) => (conn.socket = s));
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
    const socket = conn.socket;
    if (!socket) throw new AppError('INTERNAL', 'The LDAP connection was not made through the app\'s connection hook. Nothing was changed.');
    o.onConnected?.();
    let search: PagedSearch | null = null;
    try {
      search = new PagedSearch(socket, {
        baseDN: t.baseDn,
        scope: 'sub',
        filter: toLdaptsFilter(matchAllFilter(t.searchFilter)),
        attributes: o.attributes,
        pageSize: o.pageSize ?? SYNC_PAGE_SIZE,
        // The directory's own time limit per page (ldapts's default), besides our deadline below.
        timeLimit: 10,
      });
      // A page must arrive within the timeout (plus a second, as for ldapts's own timer).
      for (;;) {
        const page: SearchPage | null = await withDeadline(search.next(), t.timeoutMs + 1000, 'search', o.signal, giveUp);
        if (!page) break;
        if (page.references.length > 0) {
          throw new AppError(
            'REFERRAL',
            `The directory returned ${page.references.length} referral${page.references.length === 1 ? '' : 's'} to other servers (${page.references[0]}), so some entries were not read. Nothing was changed. Point the URL at a server that holds the whole search base (Active Directory: the Global Catalog, port 3268/3269).`,
          );
        }
        pages++;
        entries += page.entries.length;
        await o.onPage(page.entries);
        if (o.signal?.aborted) throw cancelled();
      }
    } catch (err) {
      if (err instanceof AppError && err.code === 'CANCELLED') throw cancelled();
      throw toLdapAppError(err, 'search', t);
    } finally {
      search?.close();
    }
  } finally {
    await closeClient(client);
  }
  return { entries, pages };
}
