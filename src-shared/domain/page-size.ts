/**
 * The page size of paged reads (issue 15.4), in a module of its own with no imports, so the CLI
 * can name the default without loading the schemas at start-up.
 */

/** Default entries per page of a paged read: Active Directory's default MaxPageSize. */
export const DEFAULT_PAGE_SIZE = 1000;
/** The smallest page size accepted (smaller only multiplies round trips). */
export const MIN_PAGE_SIZE = 10;
/** The largest page size accepted (Active Directory and 389-ds cap pages well below this by default). */
export const MAX_PAGE_SIZE = 5000;

/** The page size of a server or target: its own, or {@link DEFAULT_PAGE_SIZE} when it has none. */
export const pageSizeOf = (t: { pageSize?: number }): number => t.pageSize ?? DEFAULT_PAGE_SIZE;
