/**
 * RFC 2849 LDIF content records: a strict, all-or-nothing parser (also incremental, for files of
 * 100k entries: memory stays bounded to the record being read); the serializer (also chunked) is
 * ./ldif-write.ts.
 *
 * Entries (the app's DirectoryEntry, src-main/directory/entry.ts). `{ dn, attributes, binary }`: attribute names keep the file's spelling;
 * two spellings of one attribute description (`mail`, `MAIL`) merge into the first one seen;
 * descriptions with different options (`cn`, `cn;lang-en`) stay apart; values keep file order.
 *
 * Binary values (the app's representation, as `toEntryInput` gives scripts): text values are
 * decoded strings. An attribute whose values are bytes keeps ALL its values as base64 text and is
 * listed in `binary`. That is the case for (a) the app's known binary attributes
 * (`isBinaryAttribute`: objectGUID, jpegPhoto, any `;binary` option, ...), even when the bytes
 * happen to be valid UTF-8, and (b) any attribute with a `::` value that is not valid UTF-8.
 * The serializer writes attributes listed in `binary` or known as binary as `attr:: <the
 * base64 as given>`, so serialize-then-parse gives back identical entries. (One exception LDIF
 * cannot express: an attribute listed in `binary` that the app does not know as binary
 * and whose bytes are all valid UTF-8 reads back as text. Entries from the parser never have it.)
 * Attributes without values are not written.
 *
 * Accepted: `version: 1` (optional; only as the first line), comments (`#`, also folded), folded
 * lines (a line starting with one space continues the previous one; that space is removed),
 * CRLF line ends, blank lines between records, a last record without a final blank line,
 * `dn::` and `attr::` base64, attribute options (`cn;lang-en`), plain values holding UTF-8 text
 * (RFC 2849 wants those base64, most tools write them as is), a record with a dn and no
 * attributes (what `ldapsearch ... 1.1` writes).
 *
 * Ranged values (Active Directory's range retrieval, as `ldapsearch ... 'member;range=0-1499'`
 * writes them): `member;range=0-1499:` lines and the ranges after them merge into one attribute
 * `member`, values in file order. The later ranges may be in the same record or in records right
 * after it with the same DN holding only ranged lines (the output of one ldapsearch per range,
 * concatenated: Samba and AD answer one range per request). The pieces must start
 * at 0, follow each other without gap or overlap, hold as many values as their range says (all
 * but the last), and the last must end in `*`; otherwise the line of the offending piece is named
 * (an incomplete group is never taken for a whole one).
 *
 * Refused, with the 1-based line of the offending (first physical) line and the fix: URL values
 * (`attr:< file://...`), change records (`changetype:`) and controls (`control:`), a record not
 * starting with `dn:`, a line without a colon, an invalid attribute name, invalid base64, a
 * continuation line with nothing to continue, a DN that is not RFC 4514, a `version:` other than
 * 1 or not first, text that is not UTF-8 (byte streams). Nothing is returned on error.
 *
 * Limits (ldif-limits.ts): a line, a value, a DN and an entry past their size are refused with the
 * line number and the limit. Time and memory are linear in the input: a line is collected as pieces
 * and joined once, only new text is searched for line ends, base64 is checked without backtracking.
 */
import { isAttributeDescription, normalizeDn, parseDn } from '../../src-shared/ldap/dn';
import { isBinaryAttribute } from '../directory/binary-attributes';
import type { DirectoryEntry } from '../directory/entry';
import { isRangedName, parseRangeName, RangeProblem, type RangeName } from '../ldap/ranged-attributes';
import { LDIF_LIMITS, sizeText, type LdifLimits } from './ldif-limits';

/** One entry of an LDIF file: a DirectoryEntry whose `binary` is always there (see the file header). */
export interface LdifEntry extends DirectoryEntry {
  binary: string[];
}

/** What the serializer takes: an {@link LdifEntry}, or any `{ dn, attributes }` such as the scripts' entry input. */
export interface LdifEntryInput {
  dn: string;
  attributes: Record<string, readonly string[]>;
  binary?: readonly string[];
}

/** The outcome of {@link parseLdif}: all entries, or the first problem (1-based line). */
export type LdifParseResult = { ok: true; entries: LdifEntry[] } | { ok: false; line: number; message: string };

/** A syntax problem found by the incremental readers ({@link LdifReader}, {@link readLdifEntries}, {@link readLdifStream}). */
export class LdifSyntaxError extends Error {
  constructor(
    /** 1-based line number of the offending line (the first physical line of a folded one). */
    readonly line: number,
    /** What is wrong and how to fix it, without the line number. */
    readonly problem: string,
  ) {
    super(`LDIF line ${line}: ${problem}`);
    this.name = 'LdifSyntaxError';
  }
}

const NOT_BASE64 = /[^A-Za-z0-9+/]/;

/**
 * True for base64 text (groups of 4 characters, `=` padding only at the end). Without backtracking:
 * a grouped regular expression (`^(?:[A-Za-z0-9+/]{4})*...$`) overflows the stack on values of a few MB.
 */
export function isBase64(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  const body = text.endsWith('==') ? text.slice(0, -2) : text.endsWith('=') ? text.slice(0, -1) : text;
  return !NOT_BASE64.test(body);
}

/** Bytes that base64 text of this length (already checked by {@link isBase64}) decodes to. */
function decodedLength(text: string): number {
  return (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
}
/** How to name an attribute, for errors about a name (reading and writing). */
export const ATTRIBUTE_HINT = 'use a name such as cn or a numeric OID such as 2.5.4.3, options such as ;lang-en allowed';
const CHANGE_RECORDS = 'change records are not supported: export content records (e.g. ldapsearch -LLL)';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A name or value in an error message: JSON-quoted, long ones shortened. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** An attribute being collected: values are text, or base64 once `binary` is set. */
interface PendingAttribute {
  name: string;
  values: string[];
  binary: boolean;
  /** For ranged values (`member;range=0-1499`): the pieces so far, each with its first line and number of values. */
  ranges?: { name: string; low: number; high: number | null; line: number; count: number }[];
}

/** A record being read. `continued`: a second record of the same DN, continuing ranged values. */
interface PendingRecord {
  dn: string;
  attributes: Map<string, PendingAttribute>;
  continued?: boolean;
  /** Bytes of values so far (for the entry's limit). */
  bytes: number;
}

/** `attr;range=LOW-HIGH` of a piece, for messages. */
const pieceName = (base: string, r: { low: number; high: number | null }) => `${base};range=${r.low}-${r.high ?? '*'}`;

/**
 * The incremental parser: feed it text with {@link push} (any chunking, `\n` or `\r\n` line ends),
 * then call {@link end}. Both return the entries completed so far and throw {@link LdifSyntaxError}.
 * Only the current record and the current (unfolded) line are held in memory, within `limits`
 * (default {@link LDIF_LIMITS}).
 */
export class LdifReader {
  private readonly limits: LdifLimits;
  private lineNo = 0;
  /** The text after the last "\n" of the pushed chunks, in pieces (joined once its line ends). */
  private tail: string[] = [];
  private tailLength = 0;
  /** The logical line being unfolded, in pieces (joined once, when it ends). */
  private logical: { parts: string[]; length: number; line: number } | null = null;
  /** The last physical line was a comment (or continues one): its continuations are comments too. */
  private inComment = false;
  private versionAllowed = true;
  private record: PendingRecord | null = null;
  /** A record whose ranged values stop short: the next record may continue them (same DN, ranged lines only). */
  private unfinished: PendingRecord | null = null;
  private out: LdifEntry[] = [];
  private ended = false;
  private readonly names = new Map<string, boolean>();

  constructor(limits: Partial<LdifLimits> = {}) {
    this.limits = { ...LDIF_LIMITS, ...limits };
  }

  /** Feeds a chunk of text; returns the entries it completed. */
  push(chunk: string): LdifEntry[] {
    if (this.ended) throw new Error('LdifReader: push() after end()');
    // Only the new chunk is searched: the unfinished line before it is kept as pieces, so a long
    // line costs its length once, not once per chunk.
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      let text = chunk.slice(start, nl);
      if (this.tail.length) {
        this.tail.push(text);
        text = this.tail.join('');
        this.tail = [];
        this.tailLength = 0;
      }
      this.line(text);
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.tailLength += chunk.length - start;
      this.tail.push(chunk.slice(start));
      this.checkLineLength(this.tailLength, this.lineNo + 1);
    }
    return this.drain();
  }

  /** Ends the input (a last line without "\n" counts); returns the remaining entries. */
  end(): LdifEntry[] {
    if (!this.ended) {
      this.ended = true;
      if (this.tail.length) this.line(this.tail.join(''));
      this.tail = [];
      this.tailLength = 0;
      this.flushLogical();
      this.endRecord();
      this.finishUnfinished();
    }
    return this.drain();
  }

  /** The number of physical lines read so far. */
  get linesRead(): number {
    return this.lineNo;
  }

  /** Feeds one physical line (without its "\n"; a trailing "\r" is dropped). */
  line(raw: string): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const lineNo = ++this.lineNo;
    this.checkLineLength(text.length, lineNo);
    if (text.startsWith(' ')) {
      if (this.inComment) return;
      const logical = this.logical;
      if (logical === null) {
        throw new LdifSyntaxError(lineNo, 'this line starts with a space, which continues the previous line, but there is no line to continue: remove the leading space');
      }
      logical.parts.push(text.slice(1));
      logical.length += text.length - 1;
      this.checkLineLength(logical.length, logical.line, true);
      return;
    }
    this.flushLogical();
    this.inComment = false;
    if (text === '') this.endRecord();
    else if (text.startsWith('#')) this.inComment = true;
    else this.logical = { parts: [text], length: text.length, line: lineNo };
  }

  private checkLineLength(length: number, line: number, unfolded = false): void {
    if (length <= this.limits.lineChars) return;
    throw new LdifSyntaxError(
      line,
      `this ${unfolded ? 'line, with the lines that continue it,' : 'line'} is longer than ${sizeText(this.limits.lineChars, 'characters')}, the limit for one line (a value of up to ${sizeText(this.limits.valueBytes, 'bytes')} in base64): leave such values out of the export, or check that the file is LDIF`,
    );
  }

  /** The entries completed since the last call (for callers feeding {@link line} directly). */
  drain(): LdifEntry[] {
    const done = this.out;
    this.out = [];
    return done;
  }

  private flushLogical(): void {
    const logical = this.logical;
    if (logical === null) return;
    this.logical = null;
    this.logicalLine(logical.parts.length === 1 ? logical.parts[0] : logical.parts.join(''), logical.line);
  }

  private endRecord(): void {
    const record = this.record;
    if (record === null) return;
    this.record = null;
    for (const a of record.attributes.values()) {
      if (a.ranges && a.ranges[a.ranges.length - 1].high !== null) {
        this.unfinished = record;
        return;
      }
    }
    this.emit(record);
  }

  /** A record left unfinished that no record of its DN continued: its last piece names the problem. */
  private finishUnfinished(): void {
    const record = this.unfinished;
    if (record === null) return;
    this.unfinished = null;
    for (const a of record.attributes.values()) if (a.ranges) this.checkLastPiece(a);
    this.emit(record);
  }

  private emit(record: PendingRecord): void {
    const attributes: Record<string, string[]> = {};
    const binary: string[] = [];
    for (const a of record.attributes.values()) {
      attributes[a.name] = a.values;
      if (a.binary) binary.push(a.name);
    }
    this.out.push({ dn: record.dn, attributes, binary });
  }

  private logicalLine(text: string, line: number): void {
    const colon = text.indexOf(':');
    if (colon === -1) {
      throw new LdifSyntaxError(line, `expected "attribute: value" but the line has no colon (${quote(text)}): fix the line, or start a comment with #`);
    }
    const name = text.slice(0, colon);
    let range: RangeName | null = null;
    if (isRangedName(name)) {
      try {
        range = parseRangeName(name);
      } catch (err) {
        if (err instanceof RangeProblem) throw new LdifSyntaxError(line, `${err.message}`);
        throw err;
      }
    }
    if (!this.validName(range ? range.base : name)) {
      throw new LdifSyntaxError(line, `invalid attribute name ${quote(name)}: ${ATTRIBUTE_HINT}`);
    }
    const key = (range ? range.base : name).toLowerCase();
    const rest = text.slice(colon + 1);
    if (this.record === null) {
      if (key === 'version') {
        if (!this.versionAllowed) throw new LdifSyntaxError(line, '"version:" may only be the first line of the file: remove it');
        const version = rest.replace(/^ +/, '');
        if (version !== '1') throw new LdifSyntaxError(line, `LDIF version ${quote(version)} is not supported: only "version: 1" exists`);
        this.versionAllowed = false;
        return;
      }
      if (key !== 'dn') {
        if (key === 'changetype' || key === 'control') throw new LdifSyntaxError(line, CHANGE_RECORDS);
        throw new LdifSyntaxError(line, `a record must start with "dn:", found "${name}:": put the entry's dn: line first, with a blank line before it`);
      }
      this.versionAllowed = false;
      const dn = this.readDn(rest, line);
      const held = this.unfinished;
      // Compared ignoring case: ranged values come from Active Directory, whose DNs compare so.
      if (held !== null && normalizeDn(held.dn)?.toLowerCase() === normalizeDn(dn)?.toLowerCase()) {
        this.unfinished = null;
        this.record = { ...held, continued: true };
        return;
      }
      this.finishUnfinished();
      this.record = { dn, attributes: new Map(), bytes: 0 };
      return;
    }
    if (key === 'changetype' || key === 'control') throw new LdifSyntaxError(line, CHANGE_RECORDS);
    if (key === 'dn') throw new LdifSyntaxError(line, 'a second "dn:" in one record: separate records with a blank line');
    this.addValue(name, key, rest, line, range);
  }

  /** isAttributeDescription, remembered: a file repeats a few names on every record. */
  private validName(name: string): boolean {
    let ok = this.names.get(name);
    if (ok === undefined) {
      ok = name.length <= 1024 && isAttributeDescription(name);
      if (this.names.size < 10_000) this.names.set(name, ok);
    }
    return ok;
  }

  /** Book-keeping of a ranged line (or a plain line of an attribute that had ranged ones): a new piece must continue the one before. */
  private rangeLine(a: PendingAttribute, name: string, range: RangeName | null, line: number): void {
    if (!range || !a.ranges) {
      throw new LdifSyntaxError(line, `"${name}:" and ranged "${a.name};range=...:" lines in one record: keep one form (the ranged pieces merge into ${a.name})`);
    }
    const pieces = a.ranges;
    const cur = pieces[pieces.length - 1];
    if (cur && cur.name === name) {
      cur.count++;
      return;
    }
    const here = pieceName(a.name, range);
    if (cur) {
      if (cur.high === null) throw new LdifSyntaxError(line, `${here} follows ${pieceName(a.name, cur)}, which ends in * (the last piece): remove one of them`);
      this.checkCount(a.name, cur);
    }
    const expected = cur ? cur.high! + 1 : 0;
    if (range.low < expected) throw new LdifSyntaxError(line, `${here} overlaps the range before it, which ends at ${expected - 1}: each piece starts where the one before ended`);
    if (range.low > expected) throw new LdifSyntaxError(line, `${here} leaves a gap: values ${expected}-${range.low - 1} of ${a.name} are missing (${expected === 0 ? 'the first piece starts at 0' : 'each piece starts where the one before ended'})`);
    pieces.push({ name, low: range.low, high: range.high, line, count: 1 });
  }

  /** A piece that is not the last must hold every value of its range. */
  private checkCount(base: string, p: NonNullable<PendingAttribute['ranges']>[number]): void {
    const expected = p.high! - p.low + 1;
    if (p.count !== expected) {
      throw new LdifSyntaxError(p.line, `${pieceName(base, p)} has ${p.count} value${p.count === 1 ? '' : 's'}, but its range holds ${expected}: the export is incomplete; export the group again`);
    }
  }

  /** The last piece of a ranged attribute must end in `*`. */
  private checkLastPiece(a: PendingAttribute): void {
    const last = a.ranges![a.ranges!.length - 1];
    if (last.high === null) return;
    this.checkCount(a.name, last);
    throw new LdifSyntaxError(
      last.line,
      `${pieceName(a.name, last)} is the last piece of ${a.name} but does not end in *: values from ${last.high + 1} on are missing; export them too (e.g. ldapsearch ... '${a.name};range=${last.high + 1}-*') into this record or a record of the same DN right after it`,
    );
  }

  private readDn(rest: string, line: number): string {
    let dn: string;
    if (rest.startsWith('<')) throw new LdifSyntaxError(line, 'URL values (:<) are not supported: embed the value with :: base64');
    if (rest.startsWith(':')) {
      const decoded = decodeUtf8(this.base64(rest.slice(1), 'dn', line));
      if (decoded === null) throw new LdifSyntaxError(line, 'the base64 DN (dn::) is not valid UTF-8 text: encode the DN as UTF-8');
      dn = decoded;
    } else {
      dn = rest.replace(/^ +/, '');
    }
    if (dn.length > this.limits.dnChars) {
      throw new LdifSyntaxError(line, `the DN is ${sizeText(dn.length, 'characters')} long, over the limit of ${sizeText(this.limits.dnChars, 'characters')}: no directory uses DNs this long; check the file`);
    }
    const parsed = parseDn(dn);
    if (!parsed.ok) throw new LdifSyntaxError(line, `invalid DN ${quote(dn)}: ${parsed.message}; fix it, or write it as dn:: base64 of its UTF-8 text`);
    return dn;
  }

  private base64(rest: string, name: string, line: number): Buffer {
    const encoded = rest.replace(/^ +/, '');
    if (!isBase64(encoded)) {
      throw new LdifSyntaxError(line, `invalid base64 value for "${name}::": use only A-Z a-z 0-9 + / padded with = to a multiple of 4 characters`);
    }
    this.checkValueSize(decodedLength(encoded), name, line);
    return Buffer.from(encoded, 'base64');
  }

  /** A value within the value limit; counted towards its entry's limit (the DN's bytes are not values). */
  private checkValueSize(bytes: number, name: string, line: number): void {
    if (bytes > this.limits.valueBytes) {
      throw new LdifSyntaxError(line, `the value of ${quote(name)} is ${sizeText(bytes, 'bytes')}, over the limit of ${sizeText(this.limits.valueBytes, 'bytes')} for one value: leave this attribute out of the export`);
    }
    if (this.record === null) return; // a dn:: value
    this.record.bytes += bytes;
    if (this.record.bytes > this.limits.entryBytes) {
      throw new LdifSyntaxError(line, `the entry ${quote(this.record.dn)} holds more than ${sizeText(this.limits.entryBytes, 'bytes')} of values, the limit for one entry: leave its largest attributes out of the export`);
    }
  }

  private addValue(name: string, key: string, rest: string, line: number, range: RangeName | null): void {
    const attributes = this.record!.attributes;
    let attribute = attributes.get(key);
    if (this.record!.continued && !(range && attribute?.ranges)) {
      throw new LdifSyntaxError(line, `a second record for ${quote(this.record!.dn)} may only continue its ranged values (e.g. member;range=1500-*), found "${name}:": merge the records, or remove the repeated lines`);
    }
    if (attribute === undefined) {
      attribute = range ? { name: range.base, values: [], binary: isBinaryAttribute(name), ranges: [] } : { name, values: [], binary: isBinaryAttribute(name) };
      attributes.set(key, attribute);
    }
    if (range || attribute.ranges) this.rangeLine(attribute, name, range, line);
    if (rest.startsWith('<')) throw new LdifSyntaxError(line, 'URL values (:<) are not supported: embed the value with :: base64');
    if (!rest.startsWith(':')) {
      const value = rest.replace(/^ +/, '');
      this.checkValueSize(Buffer.byteLength(value, 'utf8'), name, line);
      attribute.values.push(attribute.binary ? Buffer.from(value, 'utf8').toString('base64') : value);
      return;
    }
    const bytes = this.base64(rest.slice(1), name, line);
    if (!attribute.binary) {
      const text = decodeUtf8(bytes);
      if (text !== null) {
        attribute.values.push(text);
        return;
      }
      attribute.binary = true;
      attribute.values = attribute.values.map((v) => Buffer.from(v, 'utf8').toString('base64'));
    }
    attribute.values.push(bytes.toString('base64'));
  }
}

/** Reads entries from physical lines (without line ends; a trailing "\r" is dropped). Throws {@link LdifSyntaxError}. */
export function* readLdifEntries(lines: Iterable<string>, limits?: Partial<LdifLimits>): Generator<LdifEntry, void, undefined> {
  const reader = new LdifReader(limits);
  for (const line of lines) {
    reader.line(line);
    yield* reader.drain();
  }
  yield* reader.end();
}

/**
 * Reads entries from a stream of text or UTF-8 bytes (e.g. `fs.createReadStream(path)`), any
 * chunking. Throws {@link LdifSyntaxError}, also for bytes that are not UTF-8.
 */
export async function* readLdifStream(source: AsyncIterable<string | Uint8Array>, limits?: Partial<LdifLimits>): AsyncGenerator<LdifEntry, void, undefined> {
  const reader = new LdifReader(limits);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const decode = (chunk: Uint8Array | undefined): string => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch {
      // The reader has pushed every line before this chunk; the partial line it holds is the next one.
      const bad = chunk === undefined ? 0 : firstInvalidUtf8(chunk);
      let line = reader.linesRead + 1;
      for (let k = 0; k < bad; k++) if (chunk![k] === 0x0a) line++;
      throw new LdifSyntaxError(line, 'the file is not valid UTF-8 text: save it as UTF-8 (binary values belong in attr:: base64)');
    }
  };
  for await (const chunk of source) {
    yield* reader.push(typeof chunk === 'string' ? chunk : decode(chunk));
  }
  yield* reader.push(decode(undefined));
  yield* reader.end();
}

/**
 * Offset of the first byte that cannot start or continue a UTF-8 sequence in `bytes` (a chunk:
 * continuation bytes at its start may finish a sequence from the previous chunk); 0 if not found.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let k = 0;
  while (k < 3 && k < bytes.length && (bytes[k] & 0xc0) === 0x80) k++;
  while (k < bytes.length) {
    const b = bytes[k];
    const size = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (size === 0) return k;
    const end = Math.min(k + size, bytes.length);
    if (decodeUtf8(bytes.subarray(k, end)) === null && end - k === size) return k;
    for (let j = k + 1; j < end; j++) if ((bytes[j] & 0xc0) !== 0x80) return k;
    k += size;
  }
  return 0;
}

function collect(run: () => Iterable<LdifEntry>): LdifParseResult {
  try {
    return { ok: true, entries: [...run()] };
  } catch (error) {
    if (error instanceof LdifSyntaxError) return { ok: false, line: error.line, message: error.problem };
    throw error;
  }
}

/** Parses a whole LDIF text: every entry, or the first problem and nothing else. */
export function parseLdif(text: string): LdifParseResult {
  return collect(() => {
    const reader = new LdifReader();
    return [...reader.push(text), ...reader.end()];
  });
}

/** {@link parseLdif} over physical lines (e.g. from `readline`), all-or-nothing. */
export function parseLdifLines(lines: Iterable<string>): LdifParseResult {
  return collect(() => readLdifEntries(lines));
}
