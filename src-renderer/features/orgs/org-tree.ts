import type { OrganizationView } from '../../../src-shared/domain/directory';

/** One organization in tree order: its depth (0 for a top-level one) and whether it has children. */
export interface OrgTreeRow {
  org: OrganizationView;
  depth: number;
  hasChildren: boolean;
  /** Shown only because a descendant matches the search (greyed). */
  contextOnly: boolean;
}

/**
 * The organizations as a tree, depth first, siblings by name (ignoring case). Children of a
 * collapsed organization are left out. With `matches`, only matching organizations and their
 * ancestors are kept (ancestors as context), and nothing is collapsed. An organization whose parent
 * is missing (or a cycle, which main refuses) is shown at the top level rather than lost.
 */
export function orgTree(orgs: OrganizationView[], collapsed: ReadonlySet<string>, matches?: (o: OrganizationView) => boolean): OrgTreeRow[] {
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const children = new Map<string | null, OrganizationView[]>();
  for (const o of orgs) {
    const parent = o.parentId && byId.has(o.parentId) ? o.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(o);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));

  let keep: Set<string> | null = null;
  let hits: Set<string> | null = null;
  if (matches) {
    keep = new Set();
    hits = new Set();
    for (const o of orgs) {
      if (!matches(o)) continue;
      hits.add(o.id);
      // The match and its ancestors (stop at a cycle).
      for (let at: OrganizationView | undefined = o; at && !keep.has(at.id); at = at.parentId ? byId.get(at.parentId) : undefined) keep.add(at.id);
    }
  }

  const out: OrgTreeRow[] = [];
  const seen = new Set<string>();
  // Collapsed subtrees are walked too (not shown), so that only a cycle leaves an organization unseen.
  const walk = (parent: string | null, depth: number, shown: boolean) => {
    for (const o of children.get(parent) ?? []) {
      if (seen.has(o.id)) continue;
      seen.add(o.id);
      const kept = !keep || keep.has(o.id);
      const kids = children.get(o.id) ?? [];
      if (shown && kept) out.push({ org: o, depth, hasChildren: kids.length > 0, contextOnly: hits ? !hits.has(o.id) : false });
      walk(o.id, depth + 1, shown && kept && (keep !== null || !collapsed.has(o.id)));
    }
  };
  walk(null, 0, true);
  // Organizations caught in a parent cycle never hang below the top level: show them there.
  for (const o of orgs) {
    if (seen.has(o.id) || (keep && !keep.has(o.id))) continue;
    seen.add(o.id);
    out.push({ org: o, depth: 0, hasChildren: false, contextOnly: hits ? !hits.has(o.id) : false });
  }
  return out;
}
