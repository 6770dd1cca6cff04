/**
 * The entries of a run as the planner keeps them between reading and planning, behind accessors
 * (`dn(i)`, `keyAt(i, j)`, ...) so the rules never see the storage.
 *
 * Entries are kept as columns, not objects, and most of a re-sync's entries as one number: an
 * entry whose DN, username, directory ID, email and names are exactly those of a managed user is
 * stored as that user's index (a "compact" entry; its strings are read back from the user). Script
 * answers are kept as indexes into the distinct answers (a handful: the same organization and role
 * names for thousands of entries). So 100k entries cost ~2 MB in a re-sync instead of ~90 MB of
 * objects, strings and arrays.
 */
import type { AttributeMapping } from '../../../src-shared/domain/mapping';
import type { ScriptErrorInfo } from '../../../src-shared/domain/scripts';
import { columnsOfEntries, type ColumnPage } from '../../directory/column-page';
import type { EntryInput, ScriptOutcome } from '../../scripts/engine';
import { StringPool, type ManagedUsers } from '../../store/managed-users';
import { DIRECTORY_ID_ATTRIBUTES, directoryIdKind, directoryIdText } from '../directory-id';
import { FullRecords, Quads } from '../entry-columns';

// Per entry, four numbers.
/** >= 0: the managed user a compact entry repeats; < 0: -1 - the index of its full record. */
const REF = 0;
/** The Active result (ACTIVE_MASK) and HAS_DIRECTORY_ID. */
const BITS = 1;
/** The index of the entry's Org name answer (0: none). */
const ORG = 2;
/** The index of the entry's Role name answer (0: none). */
const ROLES = 3;
const STRIDE = 4;
const ACTIVE_MASK = 3;
const ACTIVE_NULL = 2;
/** A compact entry has a directory ID (then its user's). */
const HAS_DIRECTORY_ID = 4;

const NO_ROLES: readonly string[] = Object.freeze([]);
const NO_ERRORS: readonly ScriptErrorInfo[] = Object.freeze([]);

/** How entries are read: which attributes give the username and the mapped fields. */
export interface EntryReading {
  usernameAttribute: string;
  mapping: AttributeMapping;
  /** Role answers are kept only when a Role name script runs. */
  hasRoleScript: boolean;
}

/** The attributes the planner reads from each entry (lower-cased): username, mapped fields, directory IDs. */
export function plannerReadNames(usernameAttribute: string, mapping: AttributeMapping): string[] {
  const names = [usernameAttribute, mapping.email, mapping.firstName, mapping.lastName, ...DIRECTORY_ID_ATTRIBUTES].filter((n) => n !== '').map((n) => n.toLowerCase());
  return [...new Set(names)];
}

/** The first non-empty value of entry i in column k (null when unmapped or absent). */
function firstValue(page: ColumnPage, i: number, k: number): string | null {
  const n = page.valueCount(i, k);
  for (let j = 0; j < n; j++) {
    const v = page.valueAt(i, k, j);
    if (v !== '') return v;
  }
  return null;
}

/** The entry's directory ID (see directoryIdOf): the first ID attribute, in rank order, whose first value is not empty. */
function idOf(page: ColumnPage, i: number, ids: readonly number[]): string | null {
  for (let r = 0; r < ids.length; r++) {
    const k = ids[r];
    if (k < 0 || page.valueCount(i, k) === 0) continue;
    const v = page.valueAt(i, k, 0);
    if (v !== '') return directoryIdText(DIRECTORY_ID_ATTRIBUTES[r], v);
  }
  return null;
}

/** Where the planner's attributes are among a page's columns (-1: not a column). */
interface ReadColumns {
  names: readonly string[];
  username: number;
  email: number;
  firstName: number;
  lastName: number;
  /** Per DIRECTORY_ID_ATTRIBUTES, in rank order. */
  ids: number[];
}

/**
 * A text built from pieces (a template literal, `a + b`) is kept by V8 as a tree of the pieces
 * until something reads it as a whole: a directory ID keeps the entry's value alive besides its
 * prefix. Reading one character makes V8 flatten it now (the garbage collector then drops the
 * pieces), so the 100k directory IDs of a first sync stay small while the plan waits to be applied.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** The entries added so far, with their script outcomes. */
export class CollectedEntries {
  private quads = new Quads();
  private count = 0;
  /** The entries that are not compact. */
  private readonly full = new FullRecords();
  /** Given names and surnames of full records: one string per distinct value. */
  private readonly namePool = new StringPool();
  /** Script failures by entry index (most entries have none). */
  private readonly failures = new Map<number, readonly ScriptErrorInfo[]>();
  /**
   * Directory IDs of entries besides their preferred one, kept only in a kind some managed user is
   * known by (an nsUniqueId while users are known by nsUniqueId and entryUUID appears): most entries none.
   */
  private readonly otherIds = new Map<number, readonly string[]>();
  /** The kinds of the managed users' directory IDs (built at the first entry with several IDs). */
  private userIdKinds: Set<string> | null = null;
  /** Distinct Org name answers (trimmed; 0: none) and Role name answers (0: none). */
  private readonly orgAnswers: (string | null)[] = [null];
  private readonly orgAnswerIndex = new Map<string, number>();
  private readonly roleAnswerLists: (readonly string[])[] = [NO_ROLES];
  private readonly singleRoleIndex = new Map<string, number>();
  private readonly roleListIndex = new Map<string, number>();
  private lastColumns: ReadColumns | null = null;

  /** `byKey`: managed user index by username key, to recognise entries that repeat a user. */
  constructor(
    private readonly users: ManagedUsers,
    private readonly byKey: ReadonlyMap<string, number>,
    private readonly reading: EntryReading,
  ) {}

  /** Entries added. */
  get length(): number {
    return this.count;
  }

  /** Adds a page of entries with their script outcomes (same order). */
  addPage(entries: readonly EntryInput[], outcomes: readonly ScriptOutcome[]): void {
    this.addColumns(columnsOfEntries(entries, this.readNames()), outcomes);
  }

  /** The attributes the planner reads (lower-cased): username, mapped fields, directory IDs. */
  readNames(): string[] {
    return plannerReadNames(this.reading.usernameAttribute, this.reading.mapping);
  }

  /** Where the planner's attributes are in a page's columns (remembered per column list). */
  private columnsOf(page: ColumnPage): ReadColumns {
    if (this.lastColumns?.names !== page.names) {
      const { mapping, usernameAttribute } = this.reading;
      const at = (name: string) => (name === '' ? -1 : page.column(name));
      this.lastColumns = {
        names: page.names,
        username: at(usernameAttribute),
        email: at(mapping.email),
        firstName: at(mapping.firstName),
        lastName: at(mapping.lastName),
        ids: DIRECTORY_ID_ATTRIBUTES.map((a) => page.column(a)),
      };
    }
    return this.lastColumns;
  }

  /** Adds a page of entries as columns with their script outcomes (same order). */
  addColumns(page: ColumnPage, outcomes: readonly ScriptOutcome[]): void {
    const { hasRoleScript } = this.reading;
    const users = this.users;
    const compactable = this.byKey.size > 0;
    const c = this.columnsOf(page);
    for (let i = 0; i < page.count; i++) {
      const o = outcomes[i];
      // Usernames: trimmed, empty ones and repeats (ignoring case) dropped, in attribute order.
      let name: string | null = null;
      let key: string | null = null;
      let names: string[] | null = null;
      let keys: string[] | null = null;
      const nameCount = page.valueCount(i, c.username);
      for (let j = 0; j < nameCount; j++) {
        const u = page.valueAt(i, c.username, j).trim();
        if (u === '') continue;
        const k = u.toLowerCase();
        if (key === null) {
          name = u;
          key = k;
        } else if (keys === null) {
          if (k === key) continue;
          names = [name!, u];
          keys = [key, k];
        } else if (!keys.includes(k)) {
          names!.push(u);
          keys.push(k);
        }
      }
      const dn = page.dn(i);
      const directoryId = idOf(page, i, c.ids);
      const email = firstValue(page, i, c.email);
      const firstName = firstValue(page, i, c.firstName);
      const lastName = firstValue(page, i, c.lastName);

      const index = this.count++;
      const others = this.otherIdsOf(page, i, c.ids, directoryId);
      if (others !== null) this.otherIds.set(index, others);
      let bits = o.active === null ? ACTIVE_NULL : o.active ? 1 : 0;
      let ref = -1;
      if (compactable && key !== null && keys === null) {
        const m = this.byKey.get(key);
        if (
          m !== undefined && users.username[m] === name && users.sourceDn[m] === dn && (directoryId === null || users.directoryId[m] === directoryId)
          && users.email[m] === email && users.firstName[m] === firstName && users.lastName[m] === lastName
        ) {
          ref = m;
          if (directoryId !== null) bits |= HAS_DIRECTORY_ID;
        }
      }
      if (ref < 0) {
        // Kept until planning (and in a first sync by the plan): the directory ID as one string,
        // not the prefix plus the entry's value, and repeated names shared.
        const id = directoryId === null ? null : flat(directoryId);
        ref = -1 - this.full.add(dn, id, names ?? name, keys ?? key, email, this.namePool.get(firstName), this.namePool.get(lastName));
      }
      const org = o.org !== null && o.org.trim() !== '' ? this.internOrg(o.org.trim()) : 0;
      this.quads.push(ref, bits, org, hasRoleScript && o.roles.length ? this.internRoles(o.roles) : 0);
      if (o.errors.length) this.failures.set(index, o.errors);
    }
  }

  /** The entry's other directory IDs of a kind managed users are known by, or null. */
  private otherIdsOf(page: ColumnPage, i: number, ids: readonly number[], primary: string | null): string[] | null {
    if (primary === null) return null;
    if (this.userIdKinds === null) {
      this.userIdKinds = new Set();
      for (let u = 0; u < this.users.length; u++) {
        const d = this.users.directoryId[u];
        if (d) this.userIdKinds.add(directoryIdKind(d));
      }
    }
    const kinds = this.userIdKinds;
    // The usual cases cost nothing per entry: no users yet, or all known by the entries' preferred kind.
    if (kinds.size === 0 || (kinds.size === 1 && primary.startsWith(`${kinds.values().next().value}:`))) return null;
    const primaryKind = directoryIdKind(primary);
    const kept: string[] = [];
    for (let r = 0; r < ids.length; r++) {
      const v = ids[r] >= 0 && page.valueCount(i, ids[r]) > 0 ? page.valueAt(i, ids[r], 0) : '';
      if (v === '') continue;
      const id = directoryIdText(DIRECTORY_ID_ATTRIBUTES[r], v);
      const kind = directoryIdKind(id);
      if (id !== primary && kind !== primaryKind && kinds.has(kind) && !kept.includes(id)) kept.push(id);
    }
    return kept.length ? kept.map(flat) : null;
  }

  private internOrg(name: string): number {
    let a = this.orgAnswerIndex.get(name);
    if (a === undefined) {
      a = this.orgAnswers.push(name) - 1;
      this.orgAnswerIndex.set(name, a);
    }
    return a;
  }

  private internRoles(names: readonly string[]): number {
    // One name is the common answer: its own key. Several: a key that cannot collide (JSON).
    const index = names.length === 1 ? this.singleRoleIndex : this.roleListIndex;
    const key = names.length === 1 ? names[0] : JSON.stringify(names);
    let a = index.get(key);
    if (a === undefined) {
      a = this.roleAnswerLists.push(names) - 1;
      index.set(key, a);
    }
    return a;
  }

  /** The managed user a compact entry repeats, or -1 (a full record). */
  compactUser(i: number): number {
    const ref = this.quads.data[i * STRIDE + REF];
    return ref >= 0 ? ref : -1;
  }

  /** The username keys of an entry that is not compact: one, several, or none. */
  fullKeys(i: number): string | string[] | null {
    return this.full.keys(-1 - this.quads.data[i * STRIDE + REF]);
  }

  dn(i: number): string {
    const ref = this.quads.data[i * STRIDE + REF];
    return ref >= 0 ? this.users.sourceDn[ref]! : this.full.dn(-1 - ref);
  }

  directoryId(i: number): string | null {
    const at = i * STRIDE;
    const ref = this.quads.data[at + REF];
    return ref >= 0 ? (this.quads.data[at + BITS] & HAS_DIRECTORY_ID ? this.users.directoryId[ref] : null) : this.full.directoryId(-1 - ref);
  }

  /** The entry's directory IDs besides {@link directoryId} that some managed user's ID could be (usually none). */
  otherDirectoryIds(i: number): readonly string[] {
    return this.otherIds.size ? (this.otherIds.get(i) ?? NO_ROLES) : NO_ROLES;
  }

  /** How many distinct usernames the entry has (0: none, 1: the usual case). */
  nameCount(i: number): number {
    const ref = this.quads.data[i * STRIDE + REF];
    if (ref >= 0) return 1;
    const v = this.full.names(-1 - ref);
    return v === null ? 0 : typeof v === 'string' ? 1 : v.length;
  }

  /** The entry's j-th username. */
  nameAt(i: number, j: number): string {
    const ref = this.quads.data[i * STRIDE + REF];
    if (ref >= 0) return this.users.username[ref];
    const v = this.full.names(-1 - ref)!;
    return typeof v === 'string' ? v : v[j];
  }

  /** The key (trimmed, lower case) of the entry's j-th username. */
  keyAt(i: number, j: number): string {
    const ref = this.quads.data[i * STRIDE + REF];
    if (ref >= 0) return this.users.usernameKey[ref];
    const v = this.full.keys(-1 - ref)!;
    return typeof v === 'string' ? v : v[j];
  }

  email(i: number): string | null {
    const ref = this.quads.data[i * STRIDE + REF];
    return ref >= 0 ? this.users.email[ref] : this.full.email(-1 - ref);
  }

  firstName(i: number): string | null {
    const ref = this.quads.data[i * STRIDE + REF];
    return ref >= 0 ? this.users.firstName[ref] : this.full.firstName(-1 - ref);
  }

  lastName(i: number): string | null {
    const ref = this.quads.data[i * STRIDE + REF];
    return ref >= 0 ? this.users.lastName[ref] : this.full.lastName(-1 - ref);
  }

  /** The Active script's answer (null: none). */
  active(i: number): boolean | null {
    const a = this.quads.data[i * STRIDE + BITS] & ACTIVE_MASK;
    return a === ACTIVE_NULL ? null : a === 1;
  }

  /** The Org name script's answer, trimmed (null: none). */
  orgAnswer(i: number): string | null {
    return this.orgAnswers[this.quads.data[i * STRIDE + ORG]];
  }

  /** The index of the entry's Role name answer among the distinct answers (see roleNames). */
  roleAnswerOf(i: number): number {
    return this.quads.data[i * STRIDE + ROLES];
  }

  /** The role names of a distinct answer (0: none). */
  roleNames(answer: number): readonly string[] {
    return this.roleAnswerLists[answer];
  }

  /** The entry's script failures (usually none). */
  errors(i: number): readonly ScriptErrorInfo[] {
    return this.failures.size ? (this.failures.get(i) ?? NO_ERRORS) : NO_ERRORS;
  }
}
