import type { DirectoryEntry } from '../directory/entry';

/** The most pages one session keeps, and the most entries across them. */
export const MAX_CACHED_PAGES = 20;
export const MAX_CACHED_ENTRIES = 4000;

/**
 * Pages fetched for one search (one page size, one attribute set), least recently used evicted
 * first once either bound is passed. Page numbers are 1-based.
 */
export class PageCache {
  private readonly pages = new Map<number, DirectoryEntry[]>();
  /** When each page was read from the directory (ms since the epoch). */
  private readonly times = new Map<number, number>();
  private entryCount = 0;

  constructor(
    private readonly maxPages = MAX_CACHED_PAGES,
    private readonly maxEntries = MAX_CACHED_ENTRIES,
  ) {}

  /** The entries of `page`, marking it as recently used; undefined when not held. */
  get(page: number): DirectoryEntry[] | undefined {
    const entries = this.pages.get(page);
    if (entries) {
      this.pages.delete(page);
      this.pages.set(page, entries);
    }
    return entries;
  }

  /** When `page` was read (ms since the epoch), or undefined when not held. */
  readAt(page: number): number | undefined {
    return this.pages.has(page) ? this.times.get(page) : undefined;
  }

  /** Keeps a page read at `at` (default now), evicting the least recently used ones beyond the bounds (never the page just added). */
  set(page: number, entries: DirectoryEntry[], at: number = Date.now()): void {
    this.times.set(page, at);
    const old = this.pages.get(page);
    if (old) {
      this.entryCount -= old.length;
      this.pages.delete(page);
    }
    this.pages.set(page, entries);
    this.entryCount += entries.length;
    for (const [p, e] of this.pages) {
      if (this.pages.size <= this.maxPages && this.entryCount <= this.maxEntries) break;
      if (p === page) continue;
      this.pages.delete(p);
      this.times.delete(p);
      this.entryCount -= e.length;
    }
  }

  /** Every page held, in page order. */
  all(): { page: number; entries: DirectoryEntry[] }[] {
    return [...this.pages].map(([page, entries]) => ({ page, entries })).sort((a, b) => a.page - b.page);
  }

  /** Forgets every page. */
  clear(): void {
    this.pages.clear();
    this.times.clear();
    this.entryCount = 0;
  }
}
