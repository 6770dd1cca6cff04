/**
 * Reads every entry the server's search filter matches, page by page, on the calling thread (the
 * read worker runs it; see src-main/ldap/reader.ts). Strict: any directory error fails the read
 * (connect, bind, TLS, timeout, size or time limit, referral, partial results, a page that never
 * arrives), because a sync must never mistake an outage or a truncated result for absence. The
 * next page is requested before the current one is processed, so the directory prepares it while
 * the caller works.
 */
import type { Socket } from 'node:net';
import { AppError } from '../../src-shared/errors';
import { matchAllFilter } from '../../src-shared/ldap/filter';
import type { DirectoryEntry } from '../directory/entry';
import { closeClient, connect } from './client';
import { withDeadline } from './deadline';
import { toLdapAppError } from './ldap-errors';
import { toLdaptsFilter } from './ldapts-filter';
import { PagedSearch, type SearchPage } from './search-stream';
import type { LdapTarget } from './target';

/** Entries per page: Active Directory's default MaxPageSize. */
export const SYNC_PAGE_SIZE = 1000;

export interface StrictReadOptions {
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

/** A read whose pages come as JSON buffers (src-main/directory/entry-page.ts), for the read worker. */
export interface JsonReadOptions extends Omit<StrictReadOptions, 'onPage'> {
  /** Processes one page as one buffer; a returned promise is awaited before the next page is handed over. */
  onJsonPage(page: { buffer: ArrayBuffer; count: number }): void | Promise<void>;
}

/** The error of a read the admin cancelled. */
export const cancelledRead = () => new AppError('CANCELLED', 'Cancelled by the admin. Nothing was changed.');

/** The error for continuation references: entries held by other servers were not read. */
export function referralError(references: readonly string[]): AppError {
  return new AppError(
    'REFERRAL',
    `The directory returned ${references.length} referral${references.length === 1 ? '' : 's'} to other servers (${references[0]}), so some entries were not read. Nothing was changed. Point the URL at a server that holds the whole search base (Active Directory: the Global Catalog, port 3268/3269).`,
  );
}

/** Reads every matching entry on this thread; resolves with the number of entries and pages. */
export async function readStrict(o: StrictReadOptions | JsonReadOptions): Promise<{ entries: number; pages: number }> {
  const json = 'onJsonPage' in o;
  const t = o.target;
  if (o.signal?.aborted) throw cancelledRead();
  const conn: { socket: Socket | null } = { socket: null };
  let client;
  try {
    client = await connect(t, o.password, { signal: o.signal, onSocket: (s) => (conn.socket = s) });
  } catch (err) {
    if (err instanceof AppError && err.code === 'CANCELLED') throw cancelledRead();
    throw err;
  }
  const bound = client;
  const giveUp = () => void bound.unbind().catch(() => {});
  let entries = 0;
  let pages = 0;
  try {
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
        json,
      });
      // A page must arrive within the timeout (plus a second, as for ldapts's own timer).
      for (;;) {
        const page: SearchPage | null = await withDeadline(search.next(), t.timeoutMs + 1000, 'search', o.signal, giveUp);
        if (!page) break;
        if (page.references.length > 0) throw referralError(page.references);
        pages++;
        if ('onJsonPage' in o) {
          if (!page.json) continue; // only references, or nothing (an empty page mid-search)
          entries += page.json.count;
          await o.onJsonPage(page.json);
        } else {
          entries += page.entries.length;
          await o.onPage(page.entries);
        }
        if (o.signal?.aborted) throw cancelledRead();
      }
    } catch (err) {
      if (err instanceof AppError && err.code === 'CANCELLED') throw cancelledRead();
      throw toLdapAppError(err, 'search', t);
    } finally {
      search?.close();
    }
  } finally {
    await closeClient(bound);
  }
  return { entries, pages };
}
