import type { RawEntry } from '../../src-shared/domain/preview';
import type { DirectoryEntry } from '../directory/entry';

/** What one page request asks a source for. */
export interface PageRequest {
  /** 1-based page number. */
  page: number;
  pageSize: number;
  /** The username to find (the filter's `?` filled in, escaped), or null for every match. */
  search: string | null;
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
}

/** A page the source still holds from earlier requests of the same search. */
export interface CachedPage {
  page: number;
  entries: DirectoryEntry[];
}

/**
 * Where the preview's entries come from: the live directory today, a directory snapshot later.
 * A source belongs to one preview session and may keep state (a connection, a cursor, cached pages).
 */
export interface EntrySource {
  /** One page of the search. */
  page(req: PageRequest): Promise<SourcePage>;
  /** Every attribute of one entry as the source holds it (user and operational attributes). */
  raw(dn: string): Promise<RawEntry>;
  /** Other pages of the current search already held (no traffic), for duplicate checks across pages. */
  cachedPages(req: Omit<PageRequest, 'page'>): CachedPage[];
  /** Releases connections and caches. */
  close(): Promise<void>;
}
