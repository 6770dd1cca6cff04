/**
 * The one interface every reader of directory entries goes through, whatever the entries come
 * from (the live directory, a snapshot): the preview asks it for pages, a sync, a simulation, a
 * capture and a comparison read everything with {@link EntrySource.readAll}. Opened by
 * openSource (src-main/services/open-source.ts), which chooses the source.
 */
import type { RawEntry, UsernameMatch } from '../../src-shared/domain/preview';
import type { DirectoryEntry } from './entry';
import type { ColumnPage } from './column-page';
import type { ReferralReport } from '../../src-shared/domain/referrals';

/** What one page request asks a source for. */
export interface PageRequest {
  /** 1-based page number. */
  page: number;
  pageSize: number;
  /** The username to find (the filter's `?` filled in, escaped), or null for every match. */
  search: string | null;
  /** How `search` matches usernames (default 'exact'; see src-shared/ldap/username-search.ts). */
  match?: UsernameMatch;
  /** The attributes to fetch, or '*' for all user attributes. */
  attributes: string[] | '*';
}

/** One page of entries from a source. */
export interface SourcePage {
  entries: DirectoryEntry[];
  /** Entries matching in total (null when unknown). */
  total: number | null;
  hasMore: boolean;
  /** The filter text the page was searched with. */
  filter: string;
  /** A sample of attribute names the matching entries hold (for pickers and completion). */
  attributeNames: string[];
  /** The equivalent `ldapsearch` command (live sources only). */
  ldapsearch: string;
  /** Continuation references the live search got (src-shared/domain/referrals.ts); absent or null when none. */
  references?: ReferralReport | null;
  /** When the entries were read (ms since the epoch); absent means now. A live source serves cached pages with their read time. */
  readAt?: number;
}

/** A page the source still holds from earlier requests of the same search. */
export interface CachedPage {
  page: number;
  entries: DirectoryEntry[];
}

/** What a whole read asks for, and where its pages go. */
export interface ReadAllOptions {
  /** Attributes to fetch ('*' for all user attributes, plus any operational ones named); a snapshot gives what it holds. */
  attributes: string[];
  signal?: AbortSignal;
  /** Called once the source is ready (bound, for the live directory), before the first page. */
  onConnected?: () => void;
  /** Processes one page; a returned promise is awaited before the next page is handed over (unless `overlap`). */
  onPage(entries: DirectoryEntry[]): void | Promise<void>;
  /** Hand the next page over while the one before is processed (the live directory does: src-main/ldap/reader.ts); the caller keeps its effects in page order. */
  overlap?: boolean;
  /**
   * A source that can (the live directory) hands its pages here as columns of these attributes
   * (lower-cased) instead of to onPage; the others call onPage with entry objects.
   */
  columns?: { names: string[]; onPage(page: ColumnPage): void | Promise<void> };
}

/**
 * Where entries come from: the live directory or a snapshot. A preview's source belongs to one
 * session and may keep state (a connection, a cursor, cached pages).
 */
export interface EntrySource {
  /** 'live' or 'snapshot'. */
  readonly kind: 'live' | 'snapshot';
  /**
   * Every entry the server's search (filter below the base) matches, page by page, strictly: any
   * error fails the read, so an outage is never taken for absence.
   */
  readAll(o: ReadAllOptions): Promise<{ entries: number; pages: number }>;
  /** One page of the search. */
  page(req: PageRequest): Promise<SourcePage>;
  /** Every attribute of one entry as the source holds it (user and operational attributes). */
  raw(dn: string): Promise<RawEntry>;
  /** Other pages of the current search already held (no traffic), for duplicate checks across pages. */
  cachedPages(req: Omit<PageRequest, 'page'>): CachedPage[];
  /** Releases connections and caches. */
  close(): Promise<void>;
}
