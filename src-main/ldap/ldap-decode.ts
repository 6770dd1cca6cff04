/**
 * Decoding LDAP responses for the sync's bulk read (search-stream.ts): BER elements, search result
 * entries straight into the entries scripts receive, and search results with their paged-results
 * cookie.
 *
 * Decoding follows ldapts's rules exactly (checked against ldapts on random entries by
 * test/unit/ldap-decode.test.ts): values are UTF-8 text; an attribute whose values are bytes
 * (a binary attribute such as objectGUID or `;binary`, or any value that is not valid UTF-8) has
 * all its values in base64; names that differ only in case are merged in server order; attributes
 * without values are left out.
 */
import { isUtf8 } from 'node:buffer';
import { isBinaryAttribute } from '../directory/binary-attributes';
import type { DirectoryEntry } from '../directory/entry';

export const TAG_SEQUENCE = 0x30;
const TAG_SET = 0x31;
const TAG_OCTET_STRING = 0x04;
export const TAG_INTEGER = 0x02;
const TAG_ENUMERATED = 0x0a;
const TAG_BOOLEAN = 0x01;
export const OP_SEARCH_ENTRY = 0x64;
export const OP_SEARCH_DONE = 0x65;
export const OP_SEARCH_REFERENCE = 0x73;
export const OP_EXTENDED_RESPONSE = 0x78;
const TAG_CONTROLS = 0xa0;
const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';

/** A response the decoder cannot read: the connection is not usable any more. */
export class LdapDecodeError extends Error {
  constructor(message: string) {
    super(`The directory sent a response that is not valid LDAP (${message}).`);
  }
}

/**
 * Reads a BER length whose first byte is at `p`. Returns the offset after it and leaves the
 * length in `lenOut[0]`, or -1 when the buffer ends first.
 */
export function readLength(buf: Buffer, p: number, end: number, lenOut: Int32Array | number[]): number {
  if (p >= end) return -1;
  const first = buf[p];
  if (first < 0x80) {
    lenOut[0] = first;
    return p + 1;
  }
  const n = first & 0x7f;
  if (n === 0) throw new LdapDecodeError('indefinite length');
  if (n > 4) throw new LdapDecodeError('length too long');
  if (p + 1 + n > end) return -1;
  let len = 0;
  for (let i = 1; i <= n; i++) len = len * 256 + buf[p + i];
  lenOut[0] = len;
  return p + 1 + n;
}

const describe = (what: string, of?: string) => (of === undefined ? what : `${what} of ${of}`);

/** A cursor over one complete message: every read is bounds-checked and throws when malformed. */
export class Reader {
  private readonly len = [0];
  constructor(
    public buf: Buffer,
    public p: number,
    public end: number,
  ) {}

  /** Points this reader at another message (the bulk read reuses one reader: no object per entry). */
  reset(buf: Buffer, p: number, end: number): this {
    this.buf = buf;
    this.p = p;
    this.end = end;
    return this;
  }

  /**
   * Enters an element with this tag; returns the end offset of its contents. `what` (and the
   * attribute it belongs to, `of`) name the element in the error; kept apart so that nothing is
   * concatenated unless there is an error.
   */
  enter(tag: number, what: string, of?: string): number {
    // The common element, a short length (under 128 bytes), read inline; anything else below.
    const { buf, p, end } = this;
    if (p + 1 < end && buf[p] === tag) {
      const len = buf[p + 1];
      if (len < 0x80 && p + 2 + len <= end) {
        this.p = p + 2;
        return p + 2 + len;
      }
    }
    return this.enterLong(tag, what, of);
  }

  /** {@link enter} for a long length, and every error. */
  private enterLong(tag: number, what: string, of?: string): number {
    if (this.p >= this.end || this.buf[this.p] !== tag) throw new LdapDecodeError(`expected ${describe(what, of)}`);
    const q = readLength(this.buf, this.p + 1, this.end, this.len);
    if (q < 0 || q + this.len[0] > this.end) throw new LdapDecodeError(`${describe(what, of)} runs past the message`);
    this.p = q;
    return q + this.len[0];
  }

  peek(): number {
    return this.p < this.end ? this.buf[this.p] : -1;
  }

  /** Where the contents of the last {@link range} start. */
  start = 0;

  /** Moves past an OCTET STRING; its contents are [start, returned end). */
  range(what: string, of?: string): number {
    const e = this.enter(TAG_OCTET_STRING, what, of);
    this.start = this.p;
    this.p = e;
    return e;
  }

  string(what: string): string {
    const e = this.enter(TAG_OCTET_STRING, what);
    const s = this.buf.toString('utf8', this.p, e);
    this.p = e;
    return s;
  }

  integer(tag: number, what: string): number {
    const e = this.enter(tag, what);
    if (e - this.p > 4 || e === this.p) throw new LdapDecodeError(`${what} has ${e - this.p} bytes`);
    let v = this.buf[this.p] & 0x80 ? -1 : 0;
    for (let i = this.p; i < e; i++) v = (v << 8) | this.buf[i];
    this.p = e;
    return v;
  }

  skip(): void {
    if (this.p >= this.end) throw new LdapDecodeError('element missing');
    const q = readLength(this.buf, this.p + 1, this.end, this.len);
    if (q < 0 || q + this.len[0] > this.end) throw new LdapDecodeError('element runs past the message');
    this.p = q + this.len[0];
  }
}

const lowerMemo = new Map<string, string>();
/** Lower-cased attribute names, remembered (they repeat on every entry). */
function lowerName(name: string): string {
  let l = lowerMemo.get(name);
  if (l === undefined) {
    l = name.toLowerCase();
    if (lowerMemo.size < 10_000) lowerMemo.set(name, l);
  }
  return l;
}

/** An attribute name as it appeared at one position of an entry. */
export interface NameInfo {
  bytes: Buffer;
  /** The name's bytes as little-endian 32-bit words (its last length % 4 bytes left out): compared a word at a time. */
  words: Int32Array;
  name: string;
  lower: string;
  binary: boolean;
  /** A ranged description (`member;range=0-1499`): the entry needs its other ranges (ranged-attributes.ts). */
  ranged: boolean;
  /** The name as a JSON object key with its colon (`"uid":`), made when first needed (ldap-json.ts). */
  jsonKey?: Buffer;
}

/**
 * The names at each attribute position of the last entries. Entries of one search mostly list the
 * same attributes in the same order, so comparing a few bytes saves making the name string and
 * looking it up (lower case, binary) for every attribute of every entry.
 */
const nameAtPosition: (NameInfo | undefined)[] = [];

/** The name whose bytes are [s, e) at attribute `position` of an entry (remembered per position). */
export function nameInfo(buf: Buffer, s: number, e: number, position: number): NameInfo {
  const cached = nameAtPosition[position];
  if (cached !== undefined && cached.bytes.length === e - s) {
    const { bytes, words } = cached;
    let j = 0;
    for (let i = s; j < words.length; i += 4, j++) {
      if ((buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)) !== words[j]) break;
    }
    if (j === words.length) {
      let i = 4 * j;
      while (i < bytes.length && bytes[i] === buf[s + i]) i++;
      if (i === bytes.length) return cached;
    }
  }
  const name = buf.toString('utf8', s, e);
  const lower = lowerName(name);
  const bytes = Buffer.from(buf.subarray(s, e));
  const words = new Int32Array(bytes.length >> 2);
  for (let j = 0; j < words.length; j++) words[j] = bytes.readInt32LE(4 * j);
  const info: NameInfo = { bytes, words, name, lower, binary: isBinaryAttribute(name), ranged: lower.includes(';range=') };
  if (position < 64) nameAtPosition[position] = info;
  return info;
}

/** The text of value bytes [s, e), or null when they are not valid UTF-8. */
function textOf(buf: Buffer, s: number, e: number): string | null {
  const text = buf.toString('utf8', s, e);
  // toString replaces invalid sequences by U+FFFD; a real U+FFFD in the data is told apart by isUtf8.
  if (text.includes('\uFFFD') && !isUtf8(buf.subarray(s, e))) return null;
  return text;
}

/**
 * Decodes a SearchResultEntry whose contents span [p, end). The common case (distinct names, text
 * or known-binary values) is decoded in one pass; an entry with a name repeated in another case or
 * with bytes that are not UTF-8 goes through the general path.
 */
export function decodeSearchEntry(buf: Buffer, p: number, end: number): DirectoryEntry {
  const r = new Reader(buf, p, end);
  const dn = r.string('the entry DN');
  const attrsEnd = r.enter(TAG_SEQUENCE, 'the attribute list');
  const attributes: Record<string, string[]> = {};
  let binary: string[] | undefined;
  let lowers: string[] | undefined;
  for (let position = 0; r.p < attrsEnd; position++) {
    const partialEnd = r.enter(TAG_SEQUENCE, 'an attribute');
    const ne = r.range('an attribute name');
    const { name, lower, binary: isBinary } = nameInfo(buf, r.start, ne, position);
    // Not an attribute description (RFC 4512: a letter first); as a key it would set the prototype.
    if (name === '__proto__') {
      r.p = partialEnd;
      continue;
    }
    const setEnd = r.enter(TAG_SET, 'the values', name);
    const values: string[] = [];
    while (r.p < setEnd) {
      const ve = r.range('a value', name);
      if (isBinary) values.push(buf.toString('base64', r.start, ve));
      else {
        const text = textOf(buf, r.start, ve);
        if (text === null) return decodeSearchEntryGeneral(buf, p, end);
        values.push(text);
      }
    }
    r.p = partialEnd;
    if (values.length === 0) continue;
    if (lowers === undefined) lowers = [lower];
    else if (lowers.includes(lower)) return decodeSearchEntryGeneral(buf, p, end);
    else lowers.push(lower);
    attributes[name] = values;
    if (isBinary) (binary ??= []).push(name);
  }
  return binary ? { dn, attributes, binary } : { dn, attributes };
}

/** The general path of {@link decodeSearchEntry}: merges names case-insensitively, then decides text or bytes per merged attribute. */
function decodeSearchEntryGeneral(buf: Buffer, p: number, end: number): DirectoryEntry {
  const r = new Reader(buf, p, end);
  const dn = r.string('the entry DN');
  const attrsEnd = r.enter(TAG_SEQUENCE, 'the attribute list');
  const merged = new Map<string, { name: string; ranges: number[] }>();
  while (r.p < attrsEnd) {
    const partialEnd = r.enter(TAG_SEQUENCE, 'an attribute');
    const name = r.string('an attribute name');
    if (name === '__proto__') {
      r.p = partialEnd;
      continue;
    }
    const setEnd = r.enter(TAG_SET, 'the values', name);
    const ranges: number[] = [];
    while (r.p < setEnd) {
      const ve = r.range('a value', name);
      ranges.push(r.start, ve);
    }
    r.p = partialEnd;
    if (ranges.length === 0) continue;
    const key = lowerName(name);
    const had = merged.get(key);
    if (had) had.ranges.push(...ranges);
    else merged.set(key, { name, ranges });
  }
  const attributes: Record<string, string[]> = {};
  let binary: string[] | undefined;
  for (const { name, ranges } of merged.values()) {
    let isBinary = isBinaryAttribute(name);
    const texts: string[] = [];
    for (let i = 0; !isBinary && i < ranges.length; i += 2) {
      const t = textOf(buf, ranges[i], ranges[i + 1]);
      if (t === null) isBinary = true;
      else texts.push(t);
    }
    if (isBinary) {
      const values: string[] = [];
      for (let i = 0; i < ranges.length; i += 2) values.push(buf.toString('base64', ranges[i], ranges[i + 1]));
      attributes[name] = values;
      (binary ??= []).push(name);
    } else attributes[name] = texts;
  }
  return binary ? { dn, attributes, binary } : { dn, attributes };
}

/**
 * Every attribute of a SearchResultEntry whose contents span [p, end), as listed (no merging),
 * keeping attributes without values: the follow-up searches of ranged attributes need to see an
 * empty last piece. Text or base64 per attribute, by the rules of {@link decodeSearchEntry}.
 */
export function decodeEntryAttributes(buf: Buffer, p: number, end: number): { name: string; values: string[]; binary: boolean }[] {
  const r = new Reader(buf, p, end);
  r.string('the entry DN');
  const attrsEnd = r.enter(TAG_SEQUENCE, 'the attribute list');
  const out: { name: string; values: string[]; binary: boolean }[] = [];
  while (r.p < attrsEnd) {
    const partialEnd = r.enter(TAG_SEQUENCE, 'an attribute');
    const name = r.string('an attribute name');
    const setEnd = r.enter(TAG_SET, 'the values', name);
    const ranges: number[] = [];
    while (r.p < setEnd) {
      const ve = r.range('a value', name);
      ranges.push(r.start, ve);
    }
    r.p = partialEnd;
    let binary = isBinaryAttribute(name);
    const texts: string[] = [];
    for (let i = 0; !binary && i < ranges.length; i += 2) {
      const t = textOf(buf, ranges[i], ranges[i + 1]);
      if (t === null) binary = true;
      else texts.push(t);
    }
    const values = binary ? Array.from({ length: ranges.length / 2 }, (_, i) => buf.toString('base64', ranges[2 * i], ranges[2 * i + 1])) : texts;
    out.push({ name, values, binary });
  }
  return out;
}

/** What a SearchResultDone (or a Notice of Disconnection) said. */
export interface Done {
  status: number;
  matchedDN: string;
  errorMessage: string;
  /** The paged-results cookie; empty when the search is complete. */
  cookie: Buffer;
}

/** Decodes an LDAPResult plus the message's controls (for the paged-results cookie). */
export function decodeDone(buf: Buffer, p: number, opEnd: number, messageEnd: number): Done {
  const r = new Reader(buf, p, opEnd);
  const status = r.integer(TAG_ENUMERATED, 'the result code');
  const matchedDN = r.string('the matched DN');
  const errorMessage = r.string('the diagnostic message');
  let cookie = Buffer.alloc(0);
  const c = new Reader(buf, opEnd, messageEnd);
  if (c.peek() === TAG_CONTROLS) {
    const controlsEnd = c.enter(TAG_CONTROLS, 'the controls');
    while (c.p < controlsEnd) {
      const controlEnd = c.enter(TAG_SEQUENCE, 'a control');
      const oid = c.string('a control type');
      if (c.peek() === TAG_BOOLEAN) c.skip();
      if (oid === PAGED_RESULTS_OID && c.peek() === TAG_OCTET_STRING) {
        const valueEnd = c.enter(TAG_OCTET_STRING, 'the paged results value');
        const v = new Reader(buf, c.p, valueEnd);
        v.enter(TAG_SEQUENCE, 'the paged results value');
        v.integer(TAG_INTEGER, 'the paged results size');
        const ce = v.range('the paged results cookie');
        cookie = Buffer.from(buf.subarray(v.start, ce));
      }
      c.p = controlEnd;
    }
  }
  return { status, matchedDN, errorMessage, cookie };
}
