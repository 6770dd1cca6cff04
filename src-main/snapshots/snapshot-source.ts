/**
 * A snapshot as an entry source: the server's search filter is evaluated locally with LDAP
 * semantics (see filter-eval.ts), over the entries at or below the search base. Small snapshots
 * (the sample directory, most captures of a department) are held in memory once per session, so a
 * preview refreshes without touching the store; large ones keep only the matching positions and
 * read a page's entries by position.
 */
import type Database from 'better-sqlite3';
import type { RawEntry, UsernameMatch } from '../../src-shared/domain/preview';
import { AppError } from '../../src-shared/errors';
import { normalizeDn } from '../../src-shared/ldap/dn';
import { matchAllFilter } from '../../src-shared/ldap/filter';
import { usernameSearchFilter } from '../../src-shared/ldap/username-search';
import type { CachedPage, EntrySource, PageRequest, ReadAllOptions, SourcePage } from '../directory/entry-source';
import { sortedNames } from '../directory/attribute-names';
import { rawEntryOf, type DirectoryEntry } from '../directory/entry';
import { getSnapshot, snapshotEntries, snapshotEntriesAfter, snapshotEntriesBySeq, type SnapshotEntry, type SnapshotRow } from '../store/snapshots-repo';
import { compileFilter } from './filter-eval';

/** Snapshots up to this many entries are held in memory by a source. */
export const IN_MEMORY_ENTRIES = 50_000;

/** A DN in a form for subtree tests (normalized, lower-case); the raw text when it does not parse. */
export function dnKey(dn: string): string {
  return (normalizeDn(dn) ?? dn).toLowerCase();
}

/** True when `dnKey` is at or below `baseKey` ('' is the root: everything). */
export function underBase(key: string, baseKey: string): boolean {
  return baseKey === '' || key === baseKey || key.endsWith(`,${baseKey}`);
}

/** A compiled filter text, or INVALID_INPUT naming the search filter field. */
export function compiledFilter(text: string): (e: DirectoryEntry) => boolean {
  const c = compileFilter(text);
  if (!c.ok) throw new AppError('INVALID_INPUT', `The search filter cannot be evaluated on a snapshot: ${c.message}`, [{ path: 'searchFilter', message: c.message }]);
  return (e) => c.test(e);
}

export interface SnapshotSourceOptions {
  db: Database.Database;
  snapshotId: string;
  /** The server's search filter (with the `?` placeholder). */
  searchFilter: string;
  /** The search base ('' for the whole snapshot). */
  baseDn: string;
}

/** A stored entry without its position. */
const toInput = ({ seq: _, ...e }: SnapshotEntry & { seq?: number }): DirectoryEntry => e;

export class SnapshotEntrySource implements EntrySource {
  private readonly snapshot: SnapshotRow;
  private all: (SnapshotEntry & { seq: number })[] | null = null;
  /** Positions of the entries each filter text matches. */
  private readonly matches = new Map<string, number[]>();
  private readonly baseKey: string;
  readonly kind = 'snapshot' as const;

  /** Opens a ready snapshot (NOT_FOUND when it no longer exists); `preload` holds a small one in memory for page requests. */
  constructor(
    private readonly o: SnapshotSourceOptions,
    preload = true,
  ) {
    const s = getSnapshot(o.db, o.snapshotId);
    if (!s || s.status !== 'ready') throw new AppError('NOT_FOUND', 'The snapshot this server uses no longer exists. Attach another snapshot or switch the source to the live directory.', [{ path: 'snapshotId', message: 'Choose another snapshot' }]);
    this.snapshot = s;
    this.baseKey = o.baseDn.trim() === '' ? '' : dnKey(o.baseDn);
    if (preload && s.entries <= IN_MEMORY_ENTRIES) this.all = [...snapshotEntries(o.db, s.id)];
  }

  /** Every matching entry, read from the store in chunks (a snapshot holds what it holds: `attributes` is not used). */
  readAll(r: ReadAllOptions): Promise<{ entries: number; pages: number }> {
    r.onConnected?.();
    return readSnapshot({ ...this.o, signal: r.signal, onPage: r.onPage });
  }

  get name(): string {
    return this.snapshot.name;
  }

  filterFor(search: string | null, match?: UsernameMatch): string {
    return usernameSearchFilter(this.o.searchFilter, search, match);
  }

  private matching(filter: string): number[] {
    let m = this.matches.get(filter);
    if (m) return m;
    const test = compiledFilter(filter);
    m = [];
    const entries = this.all ?? snapshotEntries(this.o.db, this.snapshot.id);
    let i = 0;
    for (const e of entries) {
      if (underBase(dnKey(e.dn), this.baseKey) && test(e)) m.push(this.all ? i : e.seq);
      i++;
    }
    if (this.matches.size > 20) this.matches.clear();
    this.matches.set(filter, m);
    return m;
  }

  private entriesAt(positions: readonly number[]): DirectoryEntry[] {
    if (this.all) return positions.map((p) => toInput(this.all![p]));
    return snapshotEntriesBySeq(this.o.db, this.snapshot.id, positions).map(toInput);
  }

  async page(req: PageRequest): Promise<SourcePage> {
    const filter = this.filterFor(req.search, req.match);
    const m = this.matching(filter);
    const start = (req.page - 1) * req.pageSize;
    const entries = this.entriesAt(m.slice(start, start + req.pageSize));
    const names = this.entriesAt(m.slice(0, 200)).flatMap((e) => Object.keys(e.attributes));
    return {
      entries,
      total: m.length,
      hasMore: start + req.pageSize < m.length,
      filter,
      attributeNames: sortedNames([...names, ...entries.flatMap((e) => Object.keys(e.attributes))]),
      ldapsearch: '',
    };
  }

  async raw(dn: string): Promise<RawEntry> {
    const key = dnKey(dn);
    const found = this.all ? this.all.find((e) => dnKey(e.dn) === key) : [...snapshotEntries(this.o.db, this.snapshot.id)].find((e) => dnKey(e.dn) === key);
    if (!found) throw new AppError('NOT_FOUND', `No entry "${dn}" in the snapshot "${this.snapshot.name}".`);
    return rawEntryOf(found);
  }

  cachedPages(req: Omit<PageRequest, 'page'>): CachedPage[] {
    // Every page is at hand: duplicates are checked across the whole result (in-memory snapshots).
    if (!this.all) return [];
    const m = this.matching(this.filterFor(req.search, req.match));
    const pages: CachedPage[] = [];
    for (let start = 0, page = 1; start < m.length; start += req.pageSize, page++) pages.push({ page, entries: this.entriesAt(m.slice(start, start + req.pageSize)) });
    return pages;
  }

  async close(): Promise<void> {
    this.all = null;
    this.matches.clear();
  }
}

/**
 * Reads every entry of a snapshot the filter matches below the base, in pages, for a simulation
 * (the same callback shape as the directory reader).
 */
export async function readSnapshot(o: SnapshotSourceOptions & { signal?: AbortSignal; pageSize?: number; onPage(entries: DirectoryEntry[]): void | Promise<void> }): Promise<{ entries: number; pages: number }> {
  const s = getSnapshot(o.db, o.snapshotId);
  if (!s || s.status !== 'ready') throw new AppError('NOT_FOUND', 'The snapshot no longer exists. Attach another snapshot or switch the source to the live directory.');
  const test = compiledFilter(matchAllFilter(o.searchFilter));
  const baseKey = o.baseDn.trim() === '' ? '' : dnKey(o.baseDn);
  const size = o.pageSize ?? 1000;
  let page: DirectoryEntry[] = [];
  let entries = 0;
  let pages = 0;
  const flush = async () => {
    if (page.length === 0) return;
    await o.onPage(page);
    entries += page.length;
    pages++;
    page = [];
    // Let cancel requests and progress events through between pages.
    await new Promise((r) => setImmediate(r));
    if (o.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled by the admin. Nothing was changed.');
  };
  for (let after = -1; ; ) {
    const chunk = snapshotEntriesAfter(o.db, s.id, after, size);
    if (chunk.length === 0) break;
    after = chunk[chunk.length - 1].seq;
    for (const e of chunk) {
      if (!underBase(dnKey(e.dn), baseKey)) continue;
      const input = toInput(e);
      if (!test(input)) continue;
      page.push(input);
      if (page.length >= size) await flush();
    }
  }
  await flush();
  return { entries, pages };
}
