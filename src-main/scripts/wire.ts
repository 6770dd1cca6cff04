/**
 * Moving data in and out of the sandbox: a batch of entries becomes ONE string (only the
 * attributes the scripts use, compact positional fields), and each script pass comes back as ONE
 * string. See driver-source.ts for the format.
 */
import type { AttributeUse } from './used-attributes';
import { WIRE } from './driver-source';

/** One directory entry as given to the engine. Keys in any case; values strings (binary ones base64). */
export interface EntryInput {
  dn: string;
  attributes: Record<string, string[]>;
}

/** Which attributes go into the sandbox and under which property names. */
export interface WirePlan {
  /** Lower-cased names, in field order (fixed mode). */
  names: string[];
  /** For each name: the property spellings set on `entry` (none when only read through all()/has()). */
  spell: string[][];
  /** Name as looked up by all()/has() (lower-cased, and as written in calls) -> field offset from the dn. */
  index: Record<string, number>;
  /** Entries need their raw fields (all()/has() are called). */
  raw: boolean;
  dynamic: boolean;
}

/** Property names that must never be set on an entry (they live on its prototype chain). */
const FORBIDDEN = new Set([...Object.getOwnPropertyNames(Object.prototype), 'dn', 'all', 'has']);

/** Characters that cannot travel in the packed format (NUL would also cut the string short). */
const UNSAFE = /[\u0000-\u0003]/;

/** The wire plan for an attribute analysis. */
export function makePlan(use: AttributeUse): WirePlan {
  const names: string[] = [];
  const spell: string[][] = [];
  const index: Record<string, number> = {};
  for (const [lower, spellings] of use.spellings) {
    index[lower] = 1 + names.length;
    names.push(lower);
    spell.push(spellings.size === 0 ? [] : [...new Set([lower, ...spellings])].filter((s) => !FORBIDDEN.has(s)));
  }
  for (const name of use.calls) index[name] = index[name.toLowerCase()];
  return { names, spell, index, raw: use.calls.size > 0, dynamic: use.dynamic };
}

function field(values: string[] | undefined): string {
  if (!values || values.length === 0) return '';
  if (values.length === 1) return values[0] === '' ? WIRE.empty : values[0];
  return values.join(WIRE.value);
}

function unsafe(values: string[] | undefined): boolean {
  if (!values) return false;
  for (const v of values) if (UNSAFE.test(v)) return true;
  return false;
}

/** Packs entries [from, to) for the sandbox: packed text, or JSON when a value needs it. */
export function packBatch(entries: EntryInput[], from: number, to: number, plan: WirePlan): { text: string; json: boolean } {
  return plan.dynamic ? packDynamic(entries, from, to) : packFixed(entries, from, to, plan);
}

/** Maps each attribute key (exact spelling, memoised) to its field position, -1 when unused. */
function fieldLookup(plan: WirePlan): (key: string) => number {
  const position = new Map(plan.names.map((n, i) => [n, i]));
  const byKey = new Map<string, number>();
  return (key) => {
    let pos = byKey.get(key);
    if (pos === undefined) {
      pos = position.get(key.toLowerCase()) ?? -1;
      byKey.set(key, pos);
    }
    return pos;
  };
}

/** Fills `fields` with the entry's values per position (keys differing only in case are merged). */
function collect(entry: EntryInput, lookup: (key: string) => number, fields: Array<string[] | undefined>): void {
  fields.fill(undefined);
  for (const key in entry.attributes) {
    const pos = lookup(key);
    if (pos < 0) continue;
    const values = entry.attributes[key];
    fields[pos] = fields[pos] ? [...fields[pos]!, ...values] : values;
  }
}

function packFixed(entries: EntryInput[], from: number, to: number, plan: WirePlan): { text: string; json: boolean } {
  const lookup = fieldLookup(plan);
  const fields: Array<string[] | undefined> = new Array(plan.names.length);
  const out: string[] = [];
  for (let e = from; e < to; e++) {
    const entry = entries[e];
    collect(entry, lookup, fields);
    if (UNSAFE.test(entry.dn) || fields.some(unsafe)) return packFixedJson(entries, from, to, lookup, fields);
    out.push(entry.dn);
    for (const values of fields) out.push(field(values));
  }
  return { text: out.join(WIRE.field), json: false };
}

function packFixedJson(entries: EntryInput[], from: number, to: number, lookup: (key: string) => number, fields: Array<string[] | undefined>) {
  const out: Array<string | string[] | null> = [];
  for (let e = from; e < to; e++) {
    collect(entries[e], lookup, fields);
    out.push(entries[e].dn);
    for (const values of fields) out.push(values ?? null);
  }
  return { text: JSON.stringify(out), json: true };
}

function packDynamic(entries: EntryInput[], from: number, to: number): { text: string; json: boolean } {
  const parts: Array<string | string[] | null> = [];
  let json = false;
  for (let e = from; e < to; e++) {
    const entry = entries[e];
    const merged = new Map<string, { key: string; values: string[] }>();
    for (const key in entry.attributes) {
      if (FORBIDDEN.has(key)) continue;
      const lower = key.toLowerCase();
      const seen = merged.get(lower);
      if (seen) seen.values = [...seen.values, ...entry.attributes[key]];
      else merged.set(lower, { key, values: entry.attributes[key] });
    }
    parts.push(entry.dn, String(merged.size));
    if (!json && UNSAFE.test(entry.dn)) json = true;
    for (const { key, values } of merged.values()) {
      if (!json && (UNSAFE.test(key) || unsafe(values))) json = true;
      parts.push(key, values);
    }
  }
  if (json) return { text: JSON.stringify(parts), json };
  return { text: parts.map((p) => (typeof p === 'string' ? p : field(p ?? undefined))).join(WIRE.field), json };
}

/** One decoded result field. */
export type Decoded = { kind: 'value'; value: string } | { kind: 'error' } | { kind: 'skipped' };

/** Splits a pass result into its per-entry fields; null when the count is wrong (never expected). */
export function splitResults(text: string, count: number): string[] | null {
  const fields = count === 0 ? [] : text.split(WIRE.field);
  return fields.length === count ? fields : null;
}

/** Classifies one result field. */
export function decodeField(f: string): Decoded {
  if (f === WIRE.error) return { kind: 'error' };
  if (f === WIRE.skip) return { kind: 'skipped' };
  return { kind: 'value', value: f };
}

/** Role names from a Role name field: '' means none; duplicates removed, order kept. */
export function roleNames(value: string): string[] {
  if (value === '') return [];
  const names = value.split(WIRE.value);
  return names.length === 1 ? names : [...new Set(names)];
}
