/**
 * The filter of a username search: the server's search filter with its `(attr=?)` placeholder
 * filled in. The typed text is always escaped as RFC 4515 requires (a typed `*` matches a star);
 * only the wildcards the match mode adds are real: `jsm*` for a prefix, `*jsm*` for contains.
 */
import type { UsernameMatch } from '../domain/preview';
import { analyzeSearchFilter, escapeFilterValue, matchAllFilter } from './filter';

/** The filter for a username search in `match` mode (default exact), or for every match when `search` is null. Throws like `fillUsername`. */
export function usernameSearchFilter(searchFilter: string, search: string | null, match: UsernameMatch = 'exact'): string {
  if (search === null) return matchAllFilter(searchFilter);
  const analysis = analyzeSearchFilter(searchFilter);
  if (!analysis.ok) throw new Error(analysis.message);
  const value = escapeFilterValue(search);
  const filled = match === 'exact' ? value : match === 'prefix' ? `${value}*` : `*${value}*`;
  const at = analysis.placeholderPosition;
  return searchFilter.slice(0, at) + filled + searchFilter.slice(at + 1);
}
