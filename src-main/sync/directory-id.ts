/**
 * Stable directory IDs: the attribute that identifies an entry across renames and moves.
 * OpenLDAP entryUUID, Active Directory objectGUID (16 bytes, little-endian parts), 389-ds
 * nsUniqueId, FreeIPA ipaUniqueID. All are operational: asked for by name.
 */
import type { EntryInput } from '../scripts/engine';

export const DIRECTORY_ID_ATTRIBUTES = ['entryUUID', 'objectGUID', 'nsUniqueId', 'ipaUniqueID'] as const;

/** objectGUID bytes (base64) as the GUID text Windows shows: {00112233-4455-6677-8899-aabbccddeeff} without braces. */
export function guidText(base64: string): string | null {
  const b = Buffer.from(base64, 'base64');
  if (b.length !== 16) return null;
  const h = (i: number) => b[i].toString(16).padStart(2, '0');
  const le = (...idx: number[]) => idx.map(h).join('');
  return `${le(3, 2, 1, 0)}-${le(5, 4)}-${le(7, 6)}-${le(8, 9)}-${le(10, 11, 12, 13, 14, 15)}`;
}

const ID_RANK = new Map<string, number>(DIRECTORY_ID_ATTRIBUTES.map((a, i) => [a.toLowerCase(), i]));
const rankMemo = new Map<string, number>();

/** The rank of an attribute name among DIRECTORY_ID_ATTRIBUTES (-1: none), memoised per spelling. */
function rankOf(name: string): number {
  let rank = rankMemo.get(name);
  if (rank === undefined) {
    rank = ID_RANK.get(name.toLowerCase()) ?? -1;
    if (rankMemo.size < 10_000) rankMemo.set(name, rank);
  }
  return rank;
}

/** The entry's directory ID, prefixed with its kind (`entryUUID:...`), or null when the directory gives none. */
export function directoryIdOf(entry: EntryInput): string | null {
  // One pass over the entry's names (most entries hold just one of the ID attributes).
  let best = -1;
  let value: string | undefined;
  for (const name in entry.attributes) {
    const rank = rankOf(name);
    if (rank < 0 || (best >= 0 && rank >= best)) continue;
    const v = entry.attributes[name][0];
    if (!v) continue;
    best = rank;
    value = v;
  }
  if (best < 0 || value === undefined) return null;
  return directoryIdText(DIRECTORY_ID_ATTRIBUTES[best], value);
}

/** A directory ID from its attribute and the attribute's first value: `entryUUID:...`, an objectGUID as GUID text. */
export function directoryIdText(attr: DirectoryIdAttribute, value: string): string {
  if (attr === 'objectGUID') {
    const text = guidText(value);
    return text ? `${attr}:${text}` : `${attr}:${value}`;
  }
  return `${attr}:${value.toLowerCase()}`;
}

/** One of {@link DIRECTORY_ID_ATTRIBUTES}. */
export type DirectoryIdAttribute = (typeof DIRECTORY_ID_ATTRIBUTES)[number];

/** The kind prefix of a directory ID (`objectGUID` of `objectGUID:...`; '' when it has none). */
export function directoryIdKind(id: string): string {
  const colon = id.indexOf(':');
  return colon < 0 ? '' : id.slice(0, colon);
}

/**
 * Every directory ID the entry gives besides {@link directoryIdOf}'s (in the same `kind:value`
 * form), e.g. 389-ds's nsUniqueId next to its entryUUID. A user first seen under one of them (the
 * entryUUID plugin off, an `ldif2db` import) is the same user once the preferred one appears.
 */
export function otherDirectoryIdsOf(entry: EntryInput, primary: string | null): string[] {
  const out: string[] = [];
  for (const name in entry.attributes) {
    if (rankOf(name) < 0) continue;
    const v = entry.attributes[name][0];
    if (!v) continue;
    const one = directoryIdOf({ dn: entry.dn, attributes: { [name]: [v] } } as EntryInput);
    if (one !== null && one !== primary && !out.includes(one)) out.push(one);
  }
  return out;
}
