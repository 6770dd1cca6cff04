/**
 * The one shape of a directory entry inside the main process, whatever it came from: the live
 * directory (the bulk reader, the preview), a snapshot row, an LDIF file. Scripts receive it,
 * the planner reads it, snapshots store it.
 */
import type { RawEntry } from '../../src-shared/domain/preview';
import { isBinaryAttribute } from './binary-attributes';

/**
 * One entry: attribute names in the server's (or file's) spelling, one name per attribute ignoring
 * case, values as text; an attribute whose values are bytes has them all in base64 and its name
 * in `binary` (absent or empty when there is none).
 */
export interface DirectoryEntry {
  dn: string;
  attributes: Record<string, string[]>;
  /** Names (as spelled in `attributes`) of the attributes whose values are base64. */
  binary?: string[];
}

/** The values of `name` in an entry, found ignoring case ([] when absent). */
export function valuesByName(entry: DirectoryEntry, name: string): string[] {
  if (name === '') return [];
  const direct = entry.attributes[name];
  if (direct) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(entry.attributes)) if (k.toLowerCase() === lower) return v;
  return [];
}

/** True when the values of attribute `name` of this entry are base64: listed in `binary`, or a known binary attribute. */
export function isBinaryIn(entry: DirectoryEntry, name: string): boolean {
  if (isBinaryAttribute(name)) return true;
  const lower = name.toLowerCase();
  return entry.binary?.some((b) => b.toLowerCase() === lower) ?? false;
}

/** The entry for the raw view: text values as they are, binary ones as size plus base64. */
export function rawEntryOf(entry: DirectoryEntry): RawEntry {
  return {
    dn: entry.dn,
    attributes: Object.entries(entry.attributes).map(([name, values]) => ({
      name,
      values: values.map((v) => (isBinaryIn(entry, name) ? { kind: 'binary' as const, size: Buffer.from(v, 'base64').length, base64: v } : { kind: 'text' as const, text: v })),
    })),
  };
}
