/**
 * A page of entries read for a fixed list of attributes, as columns: what a sync or a simulation
 * hands its scripts and its planner. The live directory's pages arrive in this form from the read
 * worker (src-main/ldap/ldap-columns.ts writes them straight from BER, so the main thread parses
 * one flat array instead of rebuilding an object per entry and an array per attribute); pages of
 * entry objects (a snapshot) are seen through the same interface by {@link columnsOfEntries}.
 *
 * Values are read by position, without allocating: `valueCount(i, k)` and `valueAt(i, k, j)`.
 */
import { valuesByName, type DirectoryEntry } from './entry';
import { isBinaryAttribute } from './binary-attributes';
import { pageText } from './page-text';

/** Entries of one page by column. */
export interface ColumnPage {
  readonly count: number;
  /** The columns: attribute names, lower-cased. */
  readonly names: readonly string[];
  /** The column of a name (any case), or -1. */
  column(name: string): number;
  dn(i: number): string;
  /** How many values entry i has in column k (0: none). */
  valueCount(i: number, k: number): number;
  /** Value j of entry i in column k (base64 for a binary attribute). */
  valueAt(i: number, k: number, j: number): string;
  /** Entry i as an entry object holding the page's columns (names lower-cased), for the script engine. */
  entry(i: number): DirectoryEntry;
}

const HEAD = 4;
const NONE: readonly string[] = Object.freeze([]);

/** Column lookup by name, shared by the implementations. */
function columnIndex(names: readonly string[]): (name: string) => number {
  const index = new Map(names.map((n, k) => [n, k]));
  return (name) => index.get(name) ?? index.get(name.toLowerCase()) ?? -1;
}

/** An entry object with the page's columns of entry i. */
function entryOf(page: ColumnPage, i: number): DirectoryEntry {
  const attributes: Record<string, string[]> = {};
  let binary: string[] | undefined;
  for (let k = 0; k < page.names.length; k++) {
    const n = page.valueCount(i, k);
    if (n === 0) continue;
    const values: string[] = new Array(n);
    for (let j = 0; j < n; j++) values[j] = page.valueAt(i, k, j);
    const name = page.names[k];
    attributes[name] = values;
    if (isBinaryAttribute(name)) (binary ??= []).push(name);
  }
  return binary ? { dn: page.dn(i), attributes, binary } : { dn: page.dn(i), attributes };
}

/**
 * A column page as the read worker posts it: a little-endian u32 entry count, then the UTF-8 JSON
 * array described in src-main/ldap/ldap-columns.ts. Throws when the array does not hold `count`
 * entries of `names.length` slots (a writer and a reader that disagree must never pass silently).
 */
export function decodeColumnPage(buffer: ArrayBuffer, names: readonly string[]): ColumnPage {
  const count = new DataView(buffer).getUint32(0, true);
  const slots = JSON.parse(pageText(buffer, HEAD)) as unknown[];
  const width = names.length;
  const at = new Int32Array(count);
  let p = 0;
  for (let i = 0; i < count; i++) {
    at[i] = p;
    p += typeof slots[p] === 'string' ? 1 + width : 1;
  }
  if (p !== slots.length) throw new Error(`a column page of ${count} entries holds ${slots.length} slots, not ${p}`);
  return new FlatColumnPage(slots, at, names);
}

class FlatColumnPage implements ColumnPage {
  readonly count: number;
  readonly column: (name: string) => number;

  constructor(
    private readonly slots: unknown[],
    private readonly at: Int32Array,
    readonly names: readonly string[],
  ) {
    this.count = at.length;
    this.column = columnIndex(names);
  }

  /** The entry object written in place of entry i's slots, if it was (see ldap-columns.ts). */
  private whole(i: number): DirectoryEntry | null {
    const s = this.slots[this.at[i]];
    return typeof s === 'string' ? null : (s as DirectoryEntry);
  }

  dn(i: number): string {
    const s = this.slots[this.at[i]];
    return typeof s === 'string' ? s : (s as DirectoryEntry).dn;
  }

  valueCount(i: number, k: number): number {
    if (k < 0) return 0;
    const p = this.at[i];
    const first = this.slots[p];
    if (typeof first !== 'string') return valuesByName(first as DirectoryEntry, this.names[k]).length;
    const v = this.slots[p + 1 + k];
    return typeof v === 'string' ? 1 : v === 0 ? 0 : (v as string[]).length;
  }

  valueAt(i: number, k: number, j: number): string {
    const p = this.at[i];
    const first = this.slots[p];
    if (typeof first !== 'string') return valuesByName(first as DirectoryEntry, this.names[k])[j];
    const v = this.slots[p + 1 + k];
    return typeof v === 'string' ? v : (v as string[])[j];
  }

  entry(i: number): DirectoryEntry {
    return this.whole(i) ?? entryOf(this, i);
  }
}

/** Entry objects (a snapshot's page) seen as columns `names` (lower-cased). */
export function columnsOfEntries(entries: readonly DirectoryEntry[], names: readonly string[]): ColumnPage {
  return new EntriesColumnPage(entries, names);
}

class EntriesColumnPage implements ColumnPage {
  readonly count: number;
  readonly column: (name: string) => number;
  private lastEntry = -1;
  private readonly lastValues: (readonly string[])[];
  /** Column of each attribute key seen (keys repeat from entry to entry). */
  private readonly keyColumn = new Map<string, number>();

  constructor(
    private readonly entries: readonly DirectoryEntry[],
    readonly names: readonly string[],
  ) {
    this.count = entries.length;
    this.column = columnIndex(names);
    this.lastValues = names.map(() => NONE);
  }

  /** The values of entry i by column, gathered in one pass over its attributes (readers go entry by entry). */
  private valuesOf(i: number): (readonly string[])[] {
    const values = this.lastValues;
    if (this.lastEntry !== i) {
      values.fill(NONE);
      const attributes = this.entries[i].attributes;
      for (const key in attributes) {
        let k = this.keyColumn.get(key);
        if (k === undefined) {
          k = this.column(key);
          if (this.keyColumn.size < 10_000) this.keyColumn.set(key, k);
        }
        // One name per attribute ignoring case (entry.ts); the first spelling would win otherwise.
        if (k >= 0 && values[k] === NONE) values[k] = attributes[key];
      }
      this.lastEntry = i;
    }
    return values;
  }

  dn(i: number): string {
    return this.entries[i].dn;
  }

  valueCount(i: number, k: number): number {
    return k < 0 ? 0 : this.valuesOf(i)[k].length;
  }

  valueAt(i: number, k: number, j: number): string {
    return this.valuesOf(i)[k][j];
  }

  entry(i: number): DirectoryEntry {
    return this.entries[i];
  }
}
