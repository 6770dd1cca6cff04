/**
 * Turning ldapts search entries into what scripts and the raw view receive: attribute names kept
 * in the server's spelling but merged case-insensitively, requested-but-absent attributes dropped
 * (ldapts reports them as `[]`), and binary values as base64.
 */
import type { Entry } from 'ldapts';
import type { RawEntry, RawValue } from '../../src-shared/domain/preview';
import { isBinaryAttribute } from '../directory/binary-attributes';
import type { DirectoryEntry } from '../directory/entry';

type LdaptsValue = string | Buffer;

function valuesOf(v: Entry[string]): LdaptsValue[] {
  if (Array.isArray(v)) return v as LdaptsValue[];
  return v === undefined || v === null ? [] : [v as LdaptsValue];
}

/**
 * The bytes of a value. ldapts decodes valid UTF-8 to a string even for binary attributes
 * (unless told otherwise), and decoding was exact, so encoding it again gives the bytes back.
 */
function bytesOf(v: LdaptsValue): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
}

/** Every (name, values) pair of an ldapts entry except `dn`, without empty attributes, merged case-insensitively in server order. */
function attributePairs(entry: Entry): { name: string; values: LdaptsValue[] }[] {
  const byKey = new Map<string, { name: string; values: LdaptsValue[] }>();
  for (const [name, raw] of Object.entries(entry)) {
    if (name === 'dn') continue;
    const values = valuesOf(raw);
    if (values.length === 0) continue;
    const key = name.toLowerCase();
    const existing = byKey.get(key);
    if (existing) existing.values.push(...values);
    else byKey.set(key, { name, values: [...values] });
  }
  return [...byKey.values()];
}

/** One ldapts search entry as a DirectoryEntry: text as is, binary values (and any non-UTF-8 value) as base64, named in `binary`. */
export function toEntryInput(entry: Entry): DirectoryEntry {
  const fast = fastEntryInput(entry);
  if (fast) return fast;
  const attributes: Record<string, string[]> = {};
  let names: string[] | undefined;
  for (const { name, values } of attributePairs(entry)) {
    const binary = isBinaryAttribute(name) || values.some((v) => Buffer.isBuffer(v));
    attributes[name] = values.map((v) => (binary ? bytesOf(v).toString('base64') : (v as string)));
    if (binary) (names ??= []).push(name);
  }
  return names ? { dn: entry.dn, attributes, binary: names } : { dn: entry.dn, attributes };
}

/**
 * The common case of {@link toEntryInput} without its general machinery: every value text, no
 * binary attribute, no two spellings of one name. Returns null when the entry needs the general path.
 */
function fastEntryInput(entry: Entry): DirectoryEntry | null {
  const attributes: Record<string, string[]> = {};
  let lowerSeen: Set<string> | null = null;
  let n = 0;
  for (const name in entry) {
    if (name === 'dn') continue;
    const raw = entry[name];
    let values: string[];
    if (typeof raw === 'string') values = [raw];
    else if (Array.isArray(raw)) {
      if (raw.length === 0) continue;
      for (let i = 0; i < raw.length; i++) if (typeof raw[i] !== 'string') return null;
      values = raw as string[];
    } else if (raw === undefined || raw === null) continue;
    else return null;
    if (isBinaryAttribute(name)) return null;
    n++;
    if (n > 1) {
      lowerSeen ??= new Set(Object.keys(attributes).map((k) => k.toLowerCase()));
      const lower = name.toLowerCase();
      if (lowerSeen.has(lower)) return null;
      lowerSeen.add(lower);
    }
    attributes[name] = values;
  }
  return { dn: entry.dn, attributes };
}

/** One entry for the raw view: every attribute as returned, binary values as size plus base64. */
export function toRawEntry(entry: Entry): RawEntry {
  return {
    dn: entry.dn,
    attributes: attributePairs(entry).map(({ name, values }) => {
      const binary = isBinaryAttribute(name) || values.some((v) => Buffer.isBuffer(v));
      return {
        name,
        values: values.map((v): RawValue => {
          if (!binary) return { kind: 'text', text: v as string };
          const bytes = bytesOf(v);
          return { kind: 'binary', size: bytes.length, base64: bytes.toString('base64') };
        }),
      };
    }),
  };
}
