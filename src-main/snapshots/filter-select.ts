/**
 * What every compiled filter item of filter-eval.ts shares: LDAP's three values as small integers,
 * the entry type, the error that stops a compile, and {@link Selector}, which picks the entry's
 * attributes an item's attribute description names (subtypes, options, binary values).
 */
import { isBinaryAttribute } from '../directory/binary-attributes';
import { attributeType, isSubtype, type AttributeType } from './filter-schema';

/** An entry to test: a DirectoryEntry (src-main/directory/entry.ts), or any entry of that shape with read-only values. */
export interface FilterEntry {
  dn: string;
  attributes: Record<string, readonly string[]>;
  /** Attributes whose values are base64 (beyond the ones the app knows as binary). */
  binary?: readonly string[];
}

// Three-valued results: FALSE, TRUE, UNDEFINED.
export const F = 0;
export const T = 1;
export const U = 2;
export type TV = 0 | 1 | 2;
/** A compiled filter item: the entry's three-valued answer. */
export type Test = (entry: FilterEntry) => TV;
export const undefinedTest: Test = () => U;
export const trueTest: Test = () => T;

/** A filter that cannot be compiled (an extensible match rule that cannot be evaluated offline); its message says why. */
export class CompileError {
  constructor(readonly message: string) {}
}

/** Bit flags of an entry attribute name for one selector: selected; binary by name. */
const SELECTED = 1;
const BINARY = 2;

/** An item's attribute description: which of an entry's attributes it tests. */
export class Selector {
  readonly type: AttributeType;
  /**
   * False (the item is Undefined) in strict mode for what slapd does not know: a type outside its
   * schema, an option other than language tags (lang-*) and binary.
   */
  readonly valid: boolean;
  private readonly options: string[];
  private readonly cache = new Map<string, number>();

  constructor(description: string, readonly strict: boolean) {
    const [name, ...options] = description.split(';');
    this.type = attributeType(name);
    this.options = options.map((o) => o.toLowerCase());
    this.valid = !strict || (this.type.known && !this.type.ad && this.options.every((o) => o === 'binary' || (o.startsWith('lang-') && o.length > 5)));
  }

  /** Whether an entry attribute (name with options) feeds this filter item: a subtype with at least its options. */
  flags(name: string): number {
    let flags = this.cache.get(name);
    if (flags === undefined) {
      const [type, ...options] = name.split(';');
      const lower = options.map((o) => o.toLowerCase());
      const selected = isSubtype(attributeType(type), this.type) && this.options.every((o) => lower.includes(o));
      flags = selected ? SELECTED | (isBinaryAttribute(name) ? BINARY : 0) : 0;
      if (this.cache.size < 10_000) this.cache.set(name, flags);
    }
    return flags;
  }
}

/** The entry lists `name` among its base64 attributes. */
export function listedBinary(entry: FilterEntry, name: string): boolean {
  const list = entry.binary;
  if (list === undefined || list.length === 0) return false;
  const lower = name.toLowerCase();
  for (const n of list) if (n === name || n.toLowerCase() === lower) return true;
  return false;
}

/** Calls `visit` with each selected attribute's values until one answers TRUE or UNDEFINED (the answer); else F. */
export function someValuesOf(selector: Selector, entry: FilterEntry, visit: (values: readonly string[], binary: boolean) => TV): TV {
  const attributes = entry.attributes;
  for (const name in attributes) {
    const flags = selector.flags(name);
    if (flags === 0) continue;
    const values = attributes[name];
    if (values.length === 0) continue;
    const r = visit(values, (flags & BINARY) !== 0 || listedBinary(entry, name));
    if (r !== F) return r;
  }
  return F;
}

/** Calls `visit` with each selected attribute's values until it returns true: T; else F. */
export function someValues(selector: Selector, entry: FilterEntry, visit: (values: readonly string[], binary: boolean) => boolean): TV {
  const attributes = entry.attributes;
  for (const name in attributes) {
    const flags = selector.flags(name);
    if (flags === 0) continue;
    const values = attributes[name];
    if (values.length === 0) continue;
    if (visit(values, (flags & BINARY) !== 0 || listedBinary(entry, name))) return T;
  }
  return F;
}
