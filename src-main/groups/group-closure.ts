/**
 * Nested group membership, worked out once per run: from the groups under the search base and
 * their member lists (Active Directory `member`, OpenLDAP groupOfNames `member`,
 * groupOfUniqueNames `uniqueMember`), the groups each entry is in directly or through any number
 * of nested groups. Scripts read it with the sandbox's `groups` helpers
 * (src-main/scripts/sandbox-js/helpers.js). DNs are compared by {@link dnKey}: types and values
 * ignoring case, spacing and escaping; a cycle of groups ends where it started.
 */
import { parseDn } from '../../src-shared/ldap/dn';
import type { DirectoryEntry } from '../directory/entry';
import { valuesByName } from '../directory/entry';

/** The attributes whose values are a group's members (DNs). */
export const MEMBER_ATTRIBUTES = ['member', 'uniqueMember'] as const;

/** Object classes of groups whose members are listed by DN (dynamic groups and posixGroup's memberUid are not). */
export const GROUP_CLASSES = ['group', 'groupOfNames', 'groupOfUniqueNames', 'groupOfMembers'] as const;

/** The filter that finds the groups under the search base. */
export const GROUP_FILTER = `(|${GROUP_CLASSES.map((c) => `(objectClass=${c})`).join('')})`;

/**
 * A DN's comparison key: RDNs of [type, value, ber] lower-cased, the AVAs of an RDN sorted, as
 * JSON; null when the text is no DN. The sandbox's helpers.js computes the same key (a unit test
 * holds the two together).
 */
export function dnKey(dn: string): string | null {
  const parsed = parseDn(dn);
  if (!parsed.ok) return null;
  return JSON.stringify(parsed.rdns.map((rdn) => rdn.map((a) => JSON.stringify([a.type.toLowerCase(), a.value.toLowerCase(), a.ber ? 1 : 0])).sort()));
}

/** A member value as a DN: groupOfUniqueNames may add an optional UID (`cn=x,dc=y#'0101'B`). */
function memberDn(value: string): string {
  const m = /#'[01]*'B$/.exec(value);
  return m ? value.slice(0, m.index) : value;
}

/** True for an entry whose object classes make it a group with DN-valued members. */
export function isGroupEntry(entry: DirectoryEntry): boolean {
  const classes = valuesByName(entry, 'objectClass').map((c) => c.toLowerCase());
  return GROUP_CLASSES.some((c) => classes.includes(c.toLowerCase()));
}

/** Groups and their members, and each entry's groups (direct and nested) on request. */
export class GroupClosure {
  /** Member key -> the keys of the groups that list it directly. */
  private readonly parents = new Map<string, string[]>();
  /** Group key -> the group's DN as the directory spells it. */
  private readonly dns = new Map<string, string>();
  /** Group key -> its groups, direct and nested (groups are asked for again and again). */
  private readonly memo = new Map<string, readonly string[]>();

  /** The number of groups read. */
  get size(): number {
    return this.dns.size;
  }

  /** Adds one group with its member DNs (values that are no DN are ignored: they cannot name an entry). */
  add(dn: string, members: readonly string[]): void {
    const key = dnKey(dn);
    if (key === null) return;
    this.dns.set(key, dn);
    this.memo.clear();
    for (const value of members) {
      const member = dnKey(memberDn(value));
      if (member === null) continue;
      const list = this.parents.get(member);
      if (list === undefined) this.parents.set(member, [key]);
      else if (!list.includes(key)) list.push(key);
    }
  }

  /** Adds the groups among these entries (their member and uniqueMember values). */
  addEntries(entries: readonly DirectoryEntry[]): void {
    for (const e of entries) this.add(e.dn, MEMBER_ATTRIBUTES.flatMap((a) => valuesByName(e, a)));
  }

  /**
   * The DNs of every group `dn` is in, directly or through nested groups, each once, nearest
   * first; never `dn` itself (a group in a cycle is not listed as its own member).
   */
  of(dn: string): readonly string[] {
    const start = dnKey(dn);
    if (start === null) return [];
    const direct = this.parents.get(start);
    if (direct === undefined) return [];
    // Entries are not memoised (there are many, each asked once); groups are.
    return this.dns.has(start) ? this.groupClosure(start) : this.walk(start);
  }

  private groupClosure(key: string): readonly string[] {
    let known = this.memo.get(key);
    if (known === undefined) {
      known = this.walk(key);
      if (this.memo.size < 100_000) this.memo.set(key, known);
    }
    return known;
  }

  /** Breadth-first up the parents; each group is visited once, so cycles end. */
  private walk(start: string): readonly string[] {
    const seen = new Set<string>([start]);
    const out: string[] = [];
    const queue = [...(this.parents.get(start) ?? [])];
    for (let i = 0; i < queue.length; i++) {
      const g = queue[i];
      if (seen.has(g)) continue;
      seen.add(g);
      out.push(this.dns.get(g)!);
      for (const p of this.parents.get(g) ?? []) if (!seen.has(p)) queue.push(p);
    }
    return out;
  }
}
