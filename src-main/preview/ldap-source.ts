import type { Client, SearchResult } from 'ldapts';
import type { RawEntry } from '../../src-shared/domain/preview';
import { AppError } from '../../src-shared/errors';
import { usernameSearchFilter } from '../../src-shared/ldap/username-search';
import type { UsernameMatch } from '../../src-shared/domain/preview';
import { closeClient, connect } from '../ldap/client';
import { countEntries } from '../ldap/count';
import { toLdapAppError } from '../ldap/ldap-errors';
import { ldapsearchFor } from '../ldap/ldapsearch-command';
import { toLdaptsFilter } from '../ldap/ldapts-filter';
import type { LdapTarget } from '../ldap/target';
import type { DirectoryEntry } from '../directory/entry';
import type { Worker } from 'node:worker_threads';
import type { CachedPage, EntrySource, PageRequest, ReadAllOptions, SourcePage } from '../directory/entry-source';
import { readDirectory, startReadWorker } from '../ldap/reader';
import { EXPLICIT_BUFFER_ATTRIBUTES } from '../directory/binary-attributes';
import { toEntryInput } from './entry-values';
import { PageCache } from './page-cache';
import { sortedNames } from '../directory/attribute-names';
import { fetchRawEntry, sampleAttributeNames } from './ldap-lookups';
import type { ReferralReport } from '../../src-shared/domain/referrals';
import { ReferenceJudge, ReferenceTally } from '../ldap/referrals';
import { readRootDse } from '../ldap/root-dse';
import { completePreviewRanges } from './ldap-ranges';

/** How long an unused connection stays open (its cursor is lost after; cached pages are kept). */
export const IDLE_CLOSE_MS = 120_000;

/** The cursor and pages of one search: one filter, attribute set and page size. */
interface SearchState {
  key: string;
  filter: string;
  attributes: string[];
  pageSize: number;
  cache: PageCache;
  cursor: AsyncGenerator<SearchResult> | null;
  /** The page the cursor produces next, and entries read but not yet a full page. */
  nextPage: number;
  pending: DirectoryEntry[];
  /** Set once the search ended: the last page number (1 for no results). */
  lastPage: number | null;
}

/** Options of {@link LdapEntrySource}. */
export interface LdapSourceOptions {
  target: LdapTarget;
  /** The bind password; null for an anonymous bind. */
  password: string | null;
  idleCloseMs?: number;
  /** Start the read worker now: a whole read ({@link LdapEntrySource.readAll}) follows, and its start-up overlaps the caller's preparations. */
  readAhead?: boolean;
}

/**
 * The live directory as an entry source. A whole read ({@link readAll}) runs in the read worker
 * (src-main/ldap/reader.ts). For the preview's pages it binds with the doctor's rules, keeps one connection
 * and a paged-search cursor per session, and caches fetched pages, so next/previous page and
 * script-only edits send nothing to the directory. Jumping forward iterates the cursor; going
 * back to an evicted page restarts the search. Totals are counted once per filter (1.1 attributes,
 * paged). Nothing is ever written.
 */
export class LdapEntrySource implements EntrySource {
  private client: Client | null = null;
  private state: SearchState | null = null;
  private readonly totals = new Map<string, number | null>();
  /** Continuation references each filter's count got (ldap/referrals.ts), so the preview can say so. */
  private readonly referrals = new Map<string, ReferralReport | null>();
  private readonly names = new Map<string, string[]>();
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private worker: Worker | null;
  readonly kind = 'live' as const;

  constructor(private readonly opts: LdapSourceOptions) {
    this.worker = opts.readAhead ? startReadWorker() : null;
  }

  async readAll(o: ReadAllOptions): Promise<{ entries: number; pages: number }> {
    const worker = this.worker ?? undefined;
    this.worker = null;
    return readDirectory({ target: this.t, password: this.opts.password, worker, ...o });
  }

  private get t(): LdapTarget {
    return this.opts.target;
  }

  /** The filter for a username search (`?` replaced by the RFC 4515-escaped text, with the match mode's wildcards) or for every match. */
  filterFor(search: string | null, match?: UsernameMatch): string {
    return usernameSearchFilter(this.t.searchFilter, search, match);
  }

  async page(req: PageRequest): Promise<SourcePage> {
    const filter = this.filterFor(req.search, req.match);
    // Scripts that read any attribute (a dynamic plan) get the operational ones too: absent then means absent.
    const attributes = req.attributes === '*' ? ['*', '+'] : req.attributes;
    const client = await this.connection();
    const total = await this.total(client, filter);
    const state = this.searchState(filter, attributes, req.pageSize);
    const entries = await this.pageEntries(state, req.page);
    const attributeNames = await this.attributeNames(filter, entries, req.attributes === '*');
    const hasMore = total !== null ? req.page * req.pageSize < total : state.lastPage === null || req.page < state.lastPage;
    const ldapsearch = ldapsearchFor(this.t, { filter, attributes, pageSize: req.pageSize });
    this.touch();
    const readAt = state.cache.readAt(req.page) ?? Date.now();
    return { entries, total, hasMore, filter, attributeNames, ldapsearch, references: this.referrals.get(filter) ?? null, readAt };
  }

  async raw(dn: string): Promise<RawEntry> {
    const client = await this.connection();
    try {
      return await fetchRawEntry(client, this.t, dn);
    } finally {
      this.touch();
    }
  }

  cachedPages(req: Omit<PageRequest, 'page'>): CachedPage[] {
    const s = this.state;
    if (!s || s.filter !== this.filterFor(req.search, req.match) || s.pageSize !== req.pageSize) return [];
    return s.cache.all();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.state = null;
    void this.worker?.terminate();
    this.worker = null;
    await this.disconnect();
  }

  /** The bound connection, (re)opened when there is none or the server dropped it. */
  private async connection(): Promise<Client> {
    if (this.closed) throw new AppError('CANCELLED', 'This preview was closed.');
    if (this.client?.isConnected) return this.client;
    await this.disconnect();
    const client = await connect(this.t, this.opts.password);
    if (this.closed) {
      await closeClient(client);
      throw new AppError('CANCELLED', 'This preview was closed.');
    }
    this.client = client;
    return client;
  }

  private async disconnect(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const c = this.client;
    this.client = null;
    if (this.state) this.dropCursor(this.state);
    if (c) await closeClient(c);
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.closed) return;
    this.idleTimer = setTimeout(() => void this.disconnect(), this.opts.idleCloseMs ?? IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }

  /** Counts once per filter; a size or time limit leaves the total unknown instead of failing the preview. */
  private async total(client: Client, filter: string): Promise<number | null> {
    if (this.totals.has(filter)) return this.totals.get(filter)!;
    // A paged count resets the connection's paged-results state, so it runs before any cursor of this filter.
    if (this.state) this.dropCursor(this.state);
    let total: number | null;
    const refs: string[] = [];
    try {
      total = await countEntries(client, this.t, undefined, undefined, filter, refs);
    } catch (err) {
      if (!(err instanceof AppError) || (err.code !== 'SIZE_LIMIT' && err.code !== 'TIME_LIMIT')) throw err;
      total = null;
    }
    this.totals.set(filter, total);
    if (refs.length > 0) {
      const tally = new ReferenceTally(new ReferenceJudge(await readRootDse(client), this.t.baseDn));
      tally.add(refs);
      this.referrals.set(filter, tally.report());
    }
    return total;
  }

  private searchState(filter: string, attributes: string[], pageSize: number): SearchState {
    const key = searchKey(filter, attributes, pageSize);
    const cur = this.state;
    if (cur?.key === key) return cur;
    // Pages fetched with more attributes serve a request for fewer (a script that stopped using one).
    if (cur && cur.filter === filter && cur.pageSize === pageSize && covers(cur.attributes, attributes)) return cur;
    if (this.state) this.dropCursor(this.state);
    this.state = { key, filter, attributes, pageSize, cache: new PageCache(), cursor: null, nextPage: 1, pending: [], lastPage: null };
    return this.state;
  }

  private dropCursor(s: SearchState): void {
    const cursor = s.cursor;
    s.cursor = null;
    s.nextPage = 1;
    s.pending = [];
    void cursor?.return(undefined).catch(() => {});
  }

  /** The entries of page `n`: from the cache, else by moving the cursor forward (restarting it when behind). */
  private async pageEntries(s: SearchState, n: number): Promise<DirectoryEntry[]> {
    const cached = s.cache.get(n);
    if (cached) return cached;
    if (s.lastPage !== null && n > s.lastPage) return [];
    if (!s.cursor || n < s.nextPage) {
      this.dropCursor(s);
      const client = await this.connection();
      s.cursor = client.searchPaginated(this.t.baseDn, {
        scope: 'sub',
        filter: toLdaptsFilter(s.filter),
        attributes: s.attributes,
        explicitBufferAttributes: [...EXPLICIT_BUFFER_ATTRIBUTES],
        paged: { pageSize: s.pageSize },
      });
    }
    const cursor = s.cursor;
    try {
      while (s.nextPage <= n) {
        const step = await cursor.next();
        if (s.cursor !== cursor) throw new AppError('CANCELLED', 'The preview search was replaced by a newer one.');
        if (step.done) {
          s.lastPage = s.pending.length > 0 || s.nextPage === 1 ? s.nextPage : s.nextPage - 1;
          if (s.lastPage === s.nextPage) s.cache.set(s.nextPage, s.pending);
          s.pending = [];
          s.cursor = null;
          break;
        }
        const got = step.value.searchEntries.map(toEntryInput);
        await completePreviewRanges(await this.connection(), got);
        if (s.cursor !== cursor) throw new AppError('CANCELLED', 'The preview search was replaced by a newer one.');
        s.pending.push(...got);
        while (s.pending.length >= s.pageSize) {
          s.cache.set(s.nextPage++, s.pending.splice(0, s.pageSize));
        }
      }
    } catch (err) {
      this.dropCursor(s);
      if (!this.client?.isConnected) await this.disconnect();
      throw toLdapAppError(err, 'search', this.t);
    }
    return s.cache.get(n) ?? [];
  }

  private async attributeNames(filter: string, entries: DirectoryEntry[], all: boolean): Promise<string[]> {
    const seen = entries.flatMap((e) => Object.keys(e.attributes));
    if (all) return sortedNames(seen);
    let sample = this.names.get(filter);
    if (!sample) {
      sample = await sampleAttributeNames(await this.connection(), this.t, filter);
      this.names.set(filter, sample);
    }
    return sortedNames([...sample, ...seen]);
  }
}

function searchKey(filter: string, attributes: readonly string[], pageSize: number): string {
  return JSON.stringify([filter, [...attributes].map((a) => a.toLowerCase()).sort(), pageSize]);
}

/** True when a search for `have` returned every attribute of `want` (explicit names only: '*' lacks operational ones). */
function covers(have: readonly string[], want: readonly string[]): boolean {
  if (want.includes('*')) return want.length === have.length && want.every((a) => have.includes(a));
  const set = new Set(have.map((a) => a.toLowerCase()));
  return want.every((a) => set.has(a.toLowerCase()));
}
