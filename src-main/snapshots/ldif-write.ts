/**
 * Writing RFC 2849 LDIF content records (the reader and the entry shapes: ./ldif.ts): safe strings
 * as they are, other text and the app's binary values base64, long lines folded; in one text or in
 * chunks for large exports. Serialize-then-parse gives back identical entries (see ./ldif.ts's header).
 */
import { isAttributeDescription } from '../../src-shared/ldap/dn';
import { isBinaryAttribute } from '../directory/binary-attributes';
import { ATTRIBUTE_HINT, isBase64, quote, type LdifEntryInput } from './ldif';

/** Options of {@link serializeLdif} and {@link ldifChunks}. */
export interface LdifWriteOptions {
  /** Fold lines longer than this many characters (default 76); 0 never folds. */
  foldWidth?: number;
  /** Write "version: 1" first (default true). */
  version?: boolean;
  /** Line end (default "\n"). */
  eol?: '\n' | '\r\n';
  /** {@link ldifChunks}: yield a chunk once it holds about this many characters (default 65536). */
  chunkSize?: number;
}

/** True when RFC 2849 lets `value` be written as is (SAFE-STRING, and no trailing space). */
export function isSafeLdifString(value: string): boolean {
  if (value === '') return true;
  const first = value.charCodeAt(0);
  if (first === 0x20 || first === 0x3a || first === 0x3c) return false;
  if (value.charCodeAt(value.length - 1) === 0x20) return false;
  for (let k = 0; k < value.length; k++) {
    const c = value.charCodeAt(k);
    // RFC 2849 allows other controls in a plain value; they are base64 here too, so an export
    // printed on a terminal can carry no escape sequence.
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

function fold(line: string, width: number, eol: string): string {
  if (width <= 1 || line.length <= width) return line + eol;
  let out = line.slice(0, width) + eol;
  for (let k = width; k < line.length; k += width - 1) out += ` ${line.slice(k, k + width - 1)}${eol}`;
  return out;
}

const binaryNames = (entry: LdifEntryInput): Set<string> => new Set((entry.binary ?? []).map((n) => n.toLowerCase()));
const validNames = new Map<string, boolean>();

function checkedName(name: string): string {
  let ok = validNames.get(name);
  if (ok === undefined) {
    ok = isAttributeDescription(name);
    if (validNames.size < 10_000) validNames.set(name, ok);
  }
  if (!ok) throw new TypeError(`Cannot write attribute ${quote(name)} to LDIF: ${ATTRIBUTE_HINT}`);
  return name;
}

/** One record (without the blank line after it). Throws TypeError for an invalid name or a binary value that is not base64. */
function record(entry: LdifEntryInput, width: number, eol: string): string {
  let out = fold(isSafeLdifString(entry.dn) ? `dn: ${entry.dn}` : `dn:: ${Buffer.from(entry.dn, 'utf8').toString('base64')}`, width, eol);
  const binary = binaryNames(entry);
  for (const [name, values] of Object.entries(entry.attributes)) {
    checkedName(name);
    const isBinary = binary.has(name.toLowerCase()) || isBinaryAttribute(name);
    for (const value of values) {
      if (isBinary) {
        if (!isBase64(value)) throw new TypeError(`Cannot write ${name} of ${entry.dn} to LDIF: its value is binary, so it must be base64`);
        out += fold(`${name}:: ${value}`, width, eol);
      } else if (isSafeLdifString(value)) {
        out += fold(value === '' ? `${name}:` : `${name}: ${value}`, width, eol);
      } else {
        out += fold(`${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`, width, eol);
      }
    }
  }
  return out;
}

/**
 * Serialises entries to LDIF in chunks of about `chunkSize` characters (for large exports:
 * write each chunk to a stream). The chunks joined are {@link serializeLdif}'s text.
 */
export function* ldifChunks(entries: Iterable<LdifEntryInput>, opts: LdifWriteOptions = {}): Generator<string, void, undefined> {
  const width = opts.foldWidth ?? 76;
  const eol = opts.eol ?? '\n';
  const chunkSize = opts.chunkSize ?? 65536;
  let chunk = opts.version === false ? '' : `version: 1${eol}`;
  let first = true;
  for (const entry of entries) {
    if (!first || opts.version !== false) chunk += eol;
    first = false;
    chunk += record(entry, width, eol);
    if (chunk.length >= chunkSize) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/** Serialises entries to one LDIF text: "version: 1", then each record after a blank line. */
export function serializeLdif(entries: Iterable<LdifEntryInput>, opts: LdifWriteOptions = {}): string {
  let out = '';
  for (const chunk of ldifChunks(entries, opts)) out += chunk;
  return out;
}
