/** Attribute names as pickers and snapshots list them. */

/** Attribute names sorted ignoring case, each once (first spelling kept). */
export function sortedNames(names: Iterable<string>): string[] {
  const byKey = new Map<string, string>();
  for (const n of names) if (!byKey.has(n.toLowerCase())) byKey.set(n.toLowerCase(), n);
  return [...byKey.values()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase(), 'en'));
}
