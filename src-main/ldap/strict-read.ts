/**
 * Reads every entry the server's search filter matches, page by page, on the calling thread (the
 * read worker runs it; see src-main/ldap/reader.ts). Strict: any directory error fails the read
 * (connect, bind, TLS, timeout, size or time limit, referral, partial results, a page that never
 * arrives), because a sync must never mistake an outage or a truncated result for absence. The
 * next page is requested before the current one is processed, so the directory prepares it while
 * the caller works.
 *
 * Active Directory at a domain root: the root DSE is read once; when it advertises the domain-scope
 * control the search sends it (no references come back), and references to the forest's own other
 * partitions are ignored either way (ldap/referrals.ts). Ranged attributes (`member;range=0-1499`)
 * are completed on the same connection before their page is handed over (ranged-attributes.ts).
 */
import type { Socket } from 'node:net';
import { Control } from 'ldapts';
import type { ReferralReport } from '../../src-shared/domain/referrals';
import { AppError } from '../../src-shared/errors';
import { matchAllFilter } from '../../src-shared/ldap/filter';
import type { DirectoryEntry } from '../directory/entry';
import { closeClient, connect } from './client';
import { withDeadline } from './deadline';
import { toLdapAppError } from './ldap-errors';
import { toLdaptsFilter } from './ldapts-filter';
import { assembleJsonPage } from './ldap-json';
import { completeRanges, hasRangedAttribute, RangeProblem, type RangeFetch } from './ranged-attributes';
import { ReferenceJudge, ReferenceTally, referralError, supportsDomainScope } from './referrals';
import { DOMAIN_SCOPE_OID, readRootDse } from './root-dse';
import { directoryKind } from './directory-kind';
import { PagedSearch, type SearchPage } from './search-stream';
import type { LdapTarget } from './target';
import { DEFAULT_PAGE_SIZE, pageSizeOf } from '../../src-shared/domain/page-size';

/** Default entries per page: Active Directory's default MaxPageSize (the server's Page size overrides it). */
export const SYNC_PAGE_SIZE = DEFAULT_PAGE_SIZE;

export interface StrictReadOptions {
  target: LdapTarget;
  /** The bind password; null for an anonymous bind. */
  password: string | null;
  /** Attributes to fetch ('*' for all user attributes, plus any operational ones named). */
  attributes: string[];
  /** Entries per page; default: the target's Page size. */
  pageSize?: number;
  /** Send the domain-scope control when the root DSE advertises it (default true; false shows what a server without it returns). */
  domainScope?: boolean;
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
  /** Write column pages for these attributes (lower-cased; src-main/directory/column-page.ts) instead of entry JSON. */
  columns?: readonly string[];
}

/** The error of a read the admin cancelled. */
export const cancelledRead = () => new AppError('CANCELLED', 'Cancelled by the admin. Nothing was changed.');

export { referralError } from './referrals';

/** What a whole read found besides its entries. */
export interface StrictReadResult {
  entries: number;
  pages: number;
  /** Continuation references that came back and were ignored as the forest's own partitions (null: none came back). */
  references: ReferralReport | null;
}

/** The error for ranged values that do not fit together: the group would be incomplete. */
const rangeError = (err: RangeProblem) =>
  new AppError('PARTIAL_RESULTS', `The directory's ranged values do not fit together: ${err.message}. Nothing was changed. Run it again; if it persists, report it with this message.`);

/** Reads every matching entry on this thread; resolves with the number of entries and pages. */
export async function readStrict(o: StrictReadOptions | JsonReadOptions): Promise<StrictReadResult> {
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
  let tally: ReferenceTally | null = null;
  try {
    const socket = conn.socket;
    if (!socket) throw new AppError('INTERNAL', 'The LDAP connection was not made through the app\'s connection hook. Nothing was changed.');
    const dse = await withDeadline(readRootDse(bound), t.timeoutMs + 1000, 'search', o.signal, giveUp);
    const judge = new ReferenceJudge(dse, t.baseDn);
    tally = new ReferenceTally(judge);
    const controls = o.domainScope !== false && supportsDomainScope(dse) ? [new Control(DOMAIN_SCOPE_OID)] : [];
    o.onConnected?.();
    let search: PagedSearch | null = null;
    try {
      search = new PagedSearch(socket, {
        controls,
        baseDN: t.baseDn,
        scope: 'sub',
        filter: toLdaptsFilter(matchAllFilter(t.searchFilter)),
        attributes: o.attributes,
        pageSize: o.pageSize ?? pageSizeOf(t),
        // The directory's own time limit per page (ldapts's default), besides our deadline below.
        timeLimit: 10,
        json,
        columns: 'onJsonPage' in o ? o.columns : undefined,
      });
      // A page must arrive within the timeout (plus a second, as for ldapts's own timer).
      for (;;) {
        const page: SearchPage | null = await withDeadline(search.next(), t.timeoutMs + 1000, 'search', o.signal, giveUp);
        if (!page) break;
        const foreign = tally.add(page.references);
        if (foreign.length > 0) throw referralError(foreign);
        pages++;
        const s = search;
        const fetch: RangeFetch = (dn, attributes) => withDeadline(s.lookup(dn, attributes), t.timeoutMs + 1000, 'search', o.signal, giveUp);
        if ('onJsonPage' in o) {
          if (!page.json) continue; // only references, or nothing (an empty page mid-search)
          for (const h of page.json.held ?? []) await completeRanges(h.entry, fetch);
          entries += page.json.count;
          await o.onJsonPage(assembleJsonPage(page.json));
        } else {
          for (const e of page.entries) if (hasRangedAttribute(e)) await completeRanges(e, fetch);
          entries += page.entries.length;
          await o.onPage(page.entries);
        }
        if (o.signal?.aborted) throw cancelledRead();
      }
    } catch (err) {
      if (err instanceof AppError && err.code === 'CANCELLED') throw cancelledRead();
      if (err instanceof RangeProblem) throw rangeError(err);
      throw toLdapAppError(err, 'search', t, directoryKind(dse));
    } finally {
      search?.close();
    }
  } finally {
    await closeClient(bound);
  }
  return { entries, pages, references: tally.report() };
}
