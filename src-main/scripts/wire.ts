/**
 * Moving data in and out of the sandbox: a batch of entries becomes ONE string (only the
 * attributes the scripts use, compact positional fields), and each script pass comes back as ONE
 * string. See driver-source.ts for the format.
 */
import type { DirectoryEntry } from '../directory/entry';
import type { ServerScripts } from '../../src-shared/domain/mapping';
import { analyzeScripts, type AttributeUse } from './used-attributes';
import { GROUPS_FIELD, GROUPS_LOADED, WIRE } from './driver-source';

/** One directory entry as given to the engine: the app's one entry shape (src-main/directory/entry.ts). */
export type EntryInput = DirectoryEntry;

/** Which attributes go into the sandbox and under which property names. */
export interface WirePlan {
  /** Lower-cased names, in field order (fixed mode). */
  names: string[];
  /** For each name: the property spellings set on `entry` (none when only read through all()/has()). */
  spell: string[][];
  /** Name as looked up by all()/has() (lower-cased, and as written in calls) -> field offset from the dn. */
  index: Record<string, number>;
  /** Entries need their raw fields (all()/has() or a helper are called). */
  raw: boolean;
  dynamic: boolean;
  /** The scripts use the `groups` helpers: entries carry GROUPS_FIELD (packed from {@link GroupsOf}). Default false. */
  groups?: boolean;
}

/**
 * The DNs of the groups an entry is in, directly or through nested groups, by the entry's DN
 * (src-main/groups/ computes them); packed into GROUPS_FIELD when the scripts use `groups`.
 */
export type GroupsOf = (dn: string) => readonly string[];

/** Property names that must never be set on an entry (they live on its prototype chain). */
const FORBIDDEN = new Set([...Object.getOwnPropertyNames(Object.prototype), 'dn', 'all', 'has']);

/** Characters that cannot travel in the packed format (NUL would also cut the string short). */
const UNSAFE = /[\u0000-\u0003]/;

/**
 * Attributes an evaluation passes into the sandbox besides, or instead of, those the analysis
 * found. Default: exactly the analysis.
 */
export interface PlanAttributes {
  /** Names to pass in as well, spelled as the scripts read them (the preview adds those a run reported as not fetched). */
  add?: readonly string[];
  /**
   * Names the entries' source does not hold (a snapshot that did not capture them): never passed
   * in, so that a script reading one gets SCRIPT_UNFETCHED_ATTRIBUTE instead of `undefined`.
   */
  withhold?: readonly string[];
}

/** The wire plan for an attribute analysis (see {@link PlanAttributes}). */
export function makePlan(use: AttributeUse, attributes: PlanAttributes = {}): WirePlan {
  const names: string[] = [];
  const spell: string[][] = [];
  const index: Record<string, number> = {};
  const withheld = new Set((attributes.withhold ?? []).map((n) => n.toLowerCase()));
  const spellings = new Map([...use.spellings].map(([k, v]) => [k, new Set(v)]));
  for (const name of attributes.add ?? []) {
    const lower = name.toLowerCase();
    if (!spellings.has(lower)) spellings.set(lower, new Set());
    spellings.get(lower)!.add(name);
  }
  for (const [lower, set] of spellings) {
    if (withheld.has(lower)) continue;
    index[lower] = 1 + names.length;
    names.push(lower);
    spell.push(set.size === 0 ? [] : [...new Set([lower, ...set])].filter((s) => !FORBIDDEN.has(s)));
  }
  for (const name of use.calls) if (index[name.toLowerCase()] !== undefined) index[name] = index[name.toLowerCase()];
  if (use.groups) {
    index[GROUPS_FIELD] = 1 + names.length;
    names.push(GROUPS_FIELD);
    spell.push([]);
  }
  return { names, spell, index, raw: use.calls.size > 0 || use.groups, dynamic: use.dynamic, groups: use.groups };
}

/** The wire plan of a script set: what the host packs and the sandbox expects (both derive it from the same inputs). */
export function scriptPlan(scripts: ServerScripts, attributes?: PlanAttributes): WirePlan {
  return makePlan(analyzeScripts(scripts), attributes);
}

/** A cache key for {@link scriptPlan}'s inputs. */
export function scriptPlanKey(scripts: ServerScripts, attributes?: PlanAttributes): string {
  return JSON.stringify([scripts.active, scripts.orgName, scripts.roleName, attributes?.add ?? [], attributes?.withhold ?? []]);
}

function field(values: string[] | undefined): string {
  if (!values || values.length === 0) return '';
  if (values.length === 1) return values[0] === '' ? WIRE.empty : values[0];
  return values.join(WIRE.value);
}

/**
 * True when the string holds a character that cannot travel packed. Called on every dn and value
 * of a sync: V8 runs this one-class regular expression natively, measured faster than a
 * charCodeAt loop even on 10-40 character strings.
 */
function unsafeText(s: string): boolean {
  return UNSAFE.test(s);
}

function unsafe(values: string[] | undefined): boolean {
  if (!values) return false;
  for (let i = 0; i < values.length; i++) if (unsafeText(values[i])) return true;
  return false;
}

/**
 * A batch for the sandbox: packed text, or JSON when a value needs it; `multi` tells whether some
 * field holds several values (when not, the sandbox need not look for value separators).
 */
export interface PackedBatch {
  text: string;
  json: boolean;
  multi: boolean;
}

/**
 * Packs entries [from, to) for the sandbox. `groupsOf`: the entries' group memberships, when the
 * scripts use `groups` (without it the helpers say that memberships are not loaded).
 */
export function packBatch(entries: EntryInput[], from: number, to: number, plan: WirePlan, groupsOf?: GroupsOf): PackedBatch {
  const groups = plan.groups && groupsOf ? groupsOf : null;
  return plan.dynamic ? packDynamic(entries, from, to, groups) : packFixed(entries, from, to, plan, groups);
}

/** The GROUPS_FIELD values of an entry: the loaded mark, then its groups' DNs. */
function groupValues(groupsOf: GroupsOf, dn: string): string[] {
  return [GROUPS_LOADED, ...groupsOf(dn)];
}

/**
 * Maps attribute keys to field positions (-1 when unused) for one plan, kept across batches and
 * evaluations (the engine reuses the plan while the scripts are unchanged). Entries of one search
 * list their keys in the same order, so the keys of the previous entry, by position, answer
 * almost every lookup with one string comparison; the memo behind them answers the rest.
 */
class FieldLookup {
  private readonly position: Map<string, number>;
  private readonly byKey = new Map<string, number>();
  /** Key and position last seen at each index of an entry's key order. */
  private readonly lastKeys: string[] = [];
  private readonly lastPos: number[] = [];

  constructor(plan: WirePlan) {
    this.position = new Map(plan.names.map((n, i) => [n, i]));
  }

  private find(key: string): number {
    let pos = this.byKey.get(key);
    if (pos === undefined) {
      pos = this.position.get(key.toLowerCase()) ?? -1;
      // Keys are attribute names, so few; the cap only guards against a pathological source.
      if (this.byKey.size < 10_000) this.byKey.set(key, pos);
    }
    return pos;
  }

  /** Fills `fields` with the entry's values per position (keys differing only in case are merged). */
  collect(entry: EntryInput, fields: Array<string[] | undefined>): void {
    for (let a = 0; a < fields.length; a++) fields[a] = undefined;
    const attributes = entry.attributes;
    const lastKeys = this.lastKeys;
    const lastPos = this.lastPos;
    let k = 0;
    for (const key in attributes) {
      // A position depends on the key alone, so a stale slot is right whenever its key matches.
      let pos: number;
      if (lastKeys[k] === key) pos = lastPos[k];
      else {
        pos = this.find(key);
        if (k < 64) {
          lastKeys[k] = key;
          lastPos[k] = pos;
        }
      }
      k++;
      if (pos < 0) continue;
      const values = attributes[key];
      const seen = fields[pos];
      fields[pos] = seen ? [...seen, ...values] : values;
    }
  }
}

const lookups = new WeakMap<WirePlan, FieldLookup>();

function lookupFor(plan: WirePlan): FieldLookup {
  let lookup = lookups.get(plan);
  if (!lookup) {
    lookup = new FieldLookup(plan);
    lookups.set(plan, lookup);
  }
  return lookup;
}

function packFixed(entries: EntryInput[], from: number, to: number, plan: WirePlan, groupsOf: GroupsOf | null): PackedBatch {
  const lookup = lookupFor(plan);
  const width = plan.names.length;
  const fields: Array<string[] | undefined> = new Array(width);
  const out: string[] = new Array((to - from) * (width + 1));
  // The computed field is never taken from the entry's own attributes.
  const groupsAt = plan.groups ? plan.index[GROUPS_FIELD] - 1 : -1;
  const collect = (entry: EntryInput) => {
    lookup.collect(entry, fields);
    if (groupsAt >= 0) fields[groupsAt] = groupsOf ? groupValues(groupsOf, entry.dn) : undefined;
  };
  let n = 0;
  let multi = false;
  for (let e = from; e < to; e++) {
    const entry = entries[e];
    collect(entry);
    if (unsafeText(entry.dn)) return packFixedJson(entries, from, to, collect, fields);
    out[n++] = entry.dn;
    for (let a = 0; a < width; a++) {
      const values = fields[a];
      if (values === undefined) {
        out[n++] = '';
      } else if (values.length === 1) {
        // The usual field: one value, written as itself (see field()).
        const v = values[0];
        if (unsafeText(v)) return packFixedJson(entries, from, to, collect, fields);
        out[n++] = v === '' ? WIRE.empty : v;
      } else {
        if (unsafe(values)) return packFixedJson(entries, from, to, collect, fields);
        if (values.length > 1) multi = true;
        out[n++] = field(values);
      }
    }
  }
  return { text: out.join(WIRE.field), json: false, multi };
}

function packFixedJson(entries: EntryInput[], from: number, to: number, collect: (entry: EntryInput) => void, fields: Array<string[] | undefined>): PackedBatch {
  const out: Array<string | string[] | null> = [];
  for (let e = from; e < to; e++) {
    collect(entries[e]);
    out.push(entries[e].dn);
    for (const values of fields) out.push(values ?? null);
  }
  return { text: JSON.stringify(out), json: true, multi: true };
}

function packDynamic(entries: EntryInput[], from: number, to: number, groupsOf: GroupsOf | null): PackedBatch {
  const parts: Array<string | string[] | null> = [];
  let json = false;
  for (let e = from; e < to; e++) {
    const entry = entries[e];
    const merged = new Map<string, { key: string; values: string[] }>();
    for (const key in entry.attributes) {
      if (FORBIDDEN.has(key) || key === GROUPS_FIELD) continue;
      const lower = key.toLowerCase();
      const seen = merged.get(lower);
      if (seen) seen.values = [...seen.values, ...entry.attributes[key]];
      else merged.set(lower, { key, values: entry.attributes[key] });
    }
    if (groupsOf) merged.set(GROUPS_FIELD, { key: GROUPS_FIELD, values: groupValues(groupsOf, entry.dn) });
    parts.push(entry.dn, String(merged.size));
    if (!json && unsafeText(entry.dn)) json = true;
    for (const { key, values } of merged.values()) {
      if (!json && (unsafeText(key) || unsafe(values))) json = true;
      parts.push(key, values);
    }
  }
  if (json) return { text: JSON.stringify(parts), json, multi: true };
  return { text: parts.map((p) => (typeof p === 'string' ? p : field(p ?? undefined))).join(WIRE.field), json, multi: true };
}

/**
 * Where each of the `count` fields of a pass result ends: the index of the separator after it, or
 * the text's length for the last one; null when the count is wrong (never expected). Scanning for
 * the separators instead of split() spares an array and a string per entry: most fields are read
 * as one character (Active, errors, skips) or looked up (Role name).
 */
export function resultEnds(text: string, count: number): Int32Array | null {
  const ends = new Int32Array(count);
  if (count === 0) return ends;
  let at = -1;
  for (let i = 0; i < count - 1; i++) {
    at = text.indexOf(WIRE.field, at + 1);
    if (at < 0) return null;
    ends[i] = at;
  }
  if (text.indexOf(WIRE.field, at + 1) >= 0) return null;
  ends[count - 1] = text.length;
  return ends;
}

/** Role names from a Role name field: '' means none; duplicates removed, order kept. */
export function roleNames(value: string): string[] {
  if (value === '') return [];
  const names = value.split(WIRE.value);
  return names.length === 1 ? names : [...new Set(names)];
}

/**
 * Role name arrays shared by every entry with the same field text (almost all entries of a
 * directory get one of a handful of answers), frozen because they are shared: outcomes' `roles`
 * are read, never modified. One cache per evaluation; past `limit` distinct answers (unique names
 * per entry) new ones are built per entry instead of being remembered.
 */
export class RoleNameCache {
  private readonly known = new Map<string, string[]>();
  constructor(private readonly limit = 10_000) {}

  get(value: string): string[] {
    let names = this.known.get(value);
    if (names === undefined) {
      names = Object.freeze(roleNames(value)) as string[];
      if (this.known.size < this.limit) this.known.set(value, names);
    }
    return names;
  }
}
