/**
 * Search result entries straight from BER into the JSON of a page (the format of
 * src-main/directory/entry-page.ts), for the read worker: the common entry is copied byte for byte
 * (its DN, names and UTF-8 values are already valid JSON string contents), so the worker makes no
 * strings or objects for it, and the main thread rebuilds the entries with one JSON.parse.
 *
 * The result is exactly JSON.stringify(decodeSearchEntry(...)) (test/unit/ldap-decode.test.ts
 * checks it on random entries). Entries the byte copy cannot express (a value with a quote, a
 * backslash or a control character, bytes that are not UTF-8, one name in two spellings) go
 * through decodeSearchEntry and JSON.stringify.
 */
import type { DirectoryEntry } from '../directory/entry';
import { decodeSearchEntry, nameInfo, Reader, TAG_SEQUENCE } from './ldap-decode';
import { hasRangedAttribute } from './ranged-attributes';

const TAG_SET = 0x31;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

const DN_KEY = Buffer.from('{"dn":');
const ATTRIBUTES_KEY = Buffer.from(',"attributes":{');
const BINARY_KEY = Buffer.from(',"binary":[');

/** Why an entry leaves the byte copy. */
class NotCopyable extends Error {}
/** Thrown by a writer's copyEntry for an entry the byte copy cannot express: it is decoded and written as an object. */
export const NOT_COPYABLE = new NotCopyable();
/** Why an entry is held back: it has a ranged attribute, whose other values must be fetched first. */
export const RANGED = new NotCopyable();

/**
 * An entry held back from a page because it has ranged attributes (`member;range=0-1499`): the
 * reader completes it (ranged-attributes.ts) and {@link assembleJsonPage} writes it at `at`, so
 * the page keeps the directory's order.
 */
export interface HeldEntry {
  /** Byte offset in the page where the entry's JSON goes. */
  at: number;
  entry: DirectoryEntry;
}

/** A finished page: one buffer, or with held entries the buffer without them (see {@link assembleJsonPage}). */
export interface JsonPage {
  buffer: ArrayBuffer;
  count: number;
  /** Entries with ranged attributes, to complete and insert before the page is posted. */
  held?: HeldEntry[];
}

/** The page with its held entries (completed by now) written in their places, as one buffer. */
export function assembleJsonPage(page: JsonPage): { buffer: ArrayBuffer; count: number } {
  const held = page.held ?? [];
  if (held.length === 0) return { buffer: page.buffer, count: page.count };
  const src = Buffer.from(page.buffer);
  const parts: Buffer[] = [];
  let from = 0;
  for (const h of held) {
    parts.push(src.subarray(from, h.at), Buffer.from(JSON.stringify(h.entry), 'utf8'));
    from = h.at;
  }
  parts.push(src.subarray(from));
  const whole = Buffer.concat(parts);
  const buffer = new ArrayBuffer(whole.length);
  whole.copy(new Uint8Array(buffer));
  return { buffer, count: page.count };
}

/**
 * Copies below this length go byte by byte: Buffer#copy of a range makes a Uint8Array view per
 * call (Node 20's _copyActual), which for the short values of an entry costs more than the copy
 * and was most of the read worker's garbage.
 */
const SHORT_COPY = 64;

/**
 * The bytes of the valid UTF-8 sequence starting at buf[i] (a byte of 0x80 or more) and ending
 * before `e`, or 0 when it is not one: the well-formed sequences of the Unicode standard (table
 * 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), exactly what isUtf8 accepts.
 */
function utf8Sequence(buf: Buffer, i: number, e: number): number {
  const c = buf[i];
  if (c < 0xc2) return 0;
  if (c < 0xe0) return i + 1 < e && (buf[i + 1] & 0xc0) === 0x80 ? 2 : 0;
  if (c < 0xf0) {
    if (i + 2 >= e) return 0;
    const c1 = buf[i + 1];
    if (c1 < (c === 0xe0 ? 0xa0 : 0x80) || c1 > (c === 0xed ? 0x9f : 0xbf)) return 0;
    return (buf[i + 2] & 0xc0) === 0x80 ? 3 : 0;
  }
  if (c < 0xf5) {
    if (i + 3 >= e) return 0;
    const c1 = buf[i + 1];
    if (c1 < (c === 0xf0 ? 0x90 : 0x80) || c1 > (c === 0xf4 ? 0x8f : 0xbf)) return 0;
    return (buf[i + 2] & 0xc0) === 0x80 && (buf[i + 3] & 0xc0) === 0x80 ? 4 : 0;
  }
  return 0;
}

/** 1 for the ASCII bytes a JSON string holds as they are (not a control character, a quote or a backslash). */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;

const HIGH = 0x80808080 | 0;

/**
 * True when the four bytes of w are all {@link PLAIN}. Once every byte is below 0x80, adding to a
 * byte never carries into the next: b + 0x60 has its high bit set when b >= 0x20, and
 * (b ^ 0x22) + 0x7f when b is not a quote (likewise for the backslash), so all three hold for the
 * four bytes when the four high bits of their AND are set.
 */
const plainWord = (w: number) => (w & HIGH) === 0 && ((w + 0x60606060) & ((w ^ 0x22222222) + 0x7f7f7f7f) & ((w ^ 0x5c5c5c5c) + 0x7f7f7f7f) & HIGH) === HIGH;

/** A view of the last output written four bytes at a time (a page writer's, until it grows). */
let outViewed: Uint8Array | null = null;
let outView: DataView = new DataView(new ArrayBuffer(0));

/**
 * Writes bytes [s, e) of `buf` as a JSON string at out[n] when they can be copied as its contents
 * (valid UTF-8, nothing to escape), checking and copying in one pass, four plain bytes at a time
 * (no isUtf8, no view of the value); returns the offset after the closing quote, or -1 (out then
 * holds garbage from n on) when they cannot. The caller makes room for e - s + 2 bytes.
 */
export function copyQuoted(buf: Buffer, s: number, e: number, out: Buffer, n: number): number {
  out[n++] = QUOTE;
  const short = e - s < SHORT_COPY;
  if (short && out !== outViewed) {
    outViewed = out;
    outView = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }
  const to = n;
  for (let i = s; i < e; ) {
    if (i + 4 <= e) {
      // Assembled from bytes: a DataView of the input would be one more object per socket read.
      const w = buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
      if (plainWord(w)) {
        if (short) outView.setUint32(n, w, true);
        n += 4;
        i += 4;
        continue;
      }
    }
    const c = buf[i];
    if (PLAIN[c] === 1) {
      if (short) out[n] = c;
      n++;
      i++;
      continue;
    }
    if (c < 0x80) return -1;
    const k = utf8Sequence(buf, i, e);
    if (k === 0) return -1;
    if (short) for (let j = 0; j < k; j++) out[n + j] = buf[i + j];
    n += k;
    i += k;
  }
  // Long values are checked above and copied here in one call (its fixed cost is worth it from SHORT_COPY bytes on).
  if (!short) buf.copy(out, to, s, e);
  out[n++] = QUOTE;
  return n;
}

/** Copies a short constant (a key, a separator) to out[n]; returns the offset after it. */
function put(out: Buffer, n: number, src: Buffer): number {
  for (let i = 0; i < src.length; i++) out[n++] = src[i];
  return n;
}

/**
 * One page being written: a u32 entry count, then `[entry,entry,...]`. Entries are appended as
 * their messages are parsed; {@link finish} gives the page as one transferable buffer.
 */
export class JsonPageWriter {
  protected out: Buffer;
  /** Bytes written to {@link out}. */
  protected n = 0;
  private count = 0;
  protected lowers: string[] = [];
  private binary: string[] = [];
  protected readonly reader = new Reader(Buffer.alloc(0), 0, 0);
  private held: HeldEntry[] = [];

  constructor(initial = 1 << 18) {
    this.out = Buffer.allocUnsafe(initial);
    this.reset();
  }

  /** Entries written so far. */
  get entries(): number {
    return this.count;
  }

  private reset(): void {
    this.n = 4;
    this.out[this.n++] = 0x5b; // [
    this.count = 0;
  }

  /** Makes room for `more` bytes after {@link n} (out may be replaced). */
  protected ensure(more: number): void {
    if (this.n + more <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.n + more));
    this.out.copy(bigger, 0, 0, this.n);
    this.out = bigger;
  }

  protected bytes(src: Buffer): void {
    const len = src.length;
    this.ensure(len);
    const out = this.out;
    let n = this.n;
    if (len < SHORT_COPY) for (let i = 0; i < len; i++) out[n++] = src[i];
    else n += src.copy(out, n);
    this.n = n;
  }

  protected byte(c: number): void {
    this.ensure(1);
    this.out[this.n++] = c;
  }

  /**
   * Writes bytes [s, e) as a JSON string when they can be copied as its contents (see
   * {@link copyQuoted}); returns false (the output then holds garbage past the last entry, which
   * the caller rewinds) when they cannot.
   */
  protected quoted(buf: Buffer, s: number, e: number): boolean {
    this.ensure(e - s + 2);
    const n = copyQuoted(buf, s, e, this.out, this.n);
    if (n < 0) return false;
    this.n = n;
    return true;
  }

  protected text(s: string): void {
    this.ensure(3 * s.length);
    this.n += this.out.write(s, this.n, 'utf8');
  }

  /** Appends the SearchResultEntry whose contents span [p, end) of `buf`. */
  add(buf: Buffer, p: number, end: number): void {
    const start = this.n;
    if (this.count > 0) this.byte(COMMA);
    const at = this.n;
    try {
      this.copyEntry(buf, p, end);
    } catch (err) {
      if (err !== NOT_COPYABLE && err !== RANGED) {
        this.n = start;
        throw err;
      }
      this.n = at;
      const entry = decodeSearchEntry(buf, p, end);
      // Written when the reader has fetched the other ranges (assembleJsonPage); the comma stays.
      if (err === RANGED || hasRangedAttribute(entry)) this.held.push({ at, entry });
      else this.text(JSON.stringify(entry));
    }
    this.count++;
  }

  /** The byte copy: throws NOT_COPYABLE for an entry that needs decoding (see the file header). */
  protected copyEntry(buf: Buffer, p: number, end: number): void {
    const r = this.reader.reset(buf, p, end);
    const de = r.range('the entry DN');
    this.ensure(DN_KEY.length + (de - r.start) + 2 + ATTRIBUTES_KEY.length);
    // Written straight into the page at a local offset; this.n moves once the attributes are written.
    let out = this.out;
    let n = put(out, this.n, DN_KEY);
    n = copyQuoted(buf, r.start, de, out, n);
    if (n < 0) throw NOT_COPYABLE;
    n = put(out, n, ATTRIBUTES_KEY);
    const attrsEnd = r.enter(TAG_SEQUENCE, 'the attribute list');
    const lowers = this.lowers;
    const binary = this.binary;
    lowers.length = 0;
    binary.length = 0;
    let written = 0;
    for (let position = 0; r.p < attrsEnd; position++) {
      const partialEnd = r.enter(TAG_SEQUENCE, 'an attribute');
      const ne = r.range('an attribute name');
      const info = nameInfo(buf, r.start, ne, position);
      if (info.ranged) throw RANGED;
      if (info.name === '__proto__') {
        r.p = partialEnd;
        continue;
      }
      const setEnd = r.enter(TAG_SET, 'the values', info.name);
      if (r.p >= setEnd) {
        r.p = partialEnd;
        continue; // no values: left out
      }
      if (lowers.includes(info.lower)) throw NOT_COPYABLE; // one name in two spellings: merged by the decoder
      lowers.push(info.lower);
      const key = (info.jsonKey ??= Buffer.from(`${JSON.stringify(info.name)}:`));
      if (n + key.length + 2 > out.length) [out, n] = this.grow(n, key.length + 2);
      if (written++ > 0) out[n++] = COMMA;
      n = put(out, n, key);
      out[n++] = 0x5b; // [
      for (let v = 0; r.p < setEnd; v++) {
        const ve = r.range('a value', info.name);
        const s = r.start;
        // Room for the comma, the value (base64 is 4/3 of it) and its quotes, and the bracket after it.
        const room = 2 * (ve - s) + 8;
        if (n + room > out.length) [out, n] = this.grow(n, room);
        if (v > 0) out[n++] = COMMA;
        if (info.binary) {
          out[n++] = QUOTE;
          n += out.write(buf.toString('base64', s, ve), n, 'latin1');
          out[n++] = QUOTE;
        } else {
          n = copyQuoted(buf, s, ve, out, n);
          if (n < 0) throw NOT_COPYABLE; // to escape, or not UTF-8 (then the whole attribute is base64)
        }
      }
      out[n++] = 0x5d; // ]
      if (info.binary) binary.push(info.name);
      r.p = partialEnd;
    }
    this.n = n;
    this.byte(0x7d); // } of attributes
    if (binary.length > 0) {
      this.bytes(BINARY_KEY);
      for (let i = 0; i < binary.length; i++) {
        if (i > 0) this.byte(COMMA);
        this.text(JSON.stringify(binary[i]));
      }
      this.byte(0x5d);
    }
    this.byte(0x7d); // } of the entry
  }

  /** Makes room for `more` bytes after offset n of the entry being written; returns the (maybe new) output and n. */
  protected grow(n: number, more: number): [Buffer, number] {
    this.n = n;
    this.ensure(more);
    return [this.out, n];
  }

  /** The page so far as one buffer (entry count, then the JSON array) and its held entries; the writer starts a new page. */
  finish(): JsonPage {
    this.byte(0x5d); // ]
    // A buffer of its own of exactly the page's size (transferred to main), not zero-filled first.
    const bytes = Buffer.allocUnsafeSlow(this.n);
    const buffer = bytes.buffer as ArrayBuffer;
    this.out.copy(bytes, 0, 0, this.n);
    new DataView(buffer).setUint32(0, this.count, true);
    const count = this.count;
    const held = this.held;
    this.held = [];
    this.reset();
    return held.length > 0 ? { buffer, count, held } : { buffer, count };
  }
}
