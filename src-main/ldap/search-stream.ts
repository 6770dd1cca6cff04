/**
 * The sync's bulk read: a paged search over a connection ldapts opened, secured and bound, with
 * the responses decoded here, straight into the entries scripts receive.
 *
 * Why not ldapts's own search: at 100k entries its message objects (a SearchEntry, an Attribute
 * with a Buffer per value, then an Entry object per entry, then our EntryInput) cost about 12 µs
 * per entry plus most of the run's garbage, half of a whole read. ldapts still owns everything
 * else: connecting, TLS and StartTLS with our verification, the bind and its errors, unbind. The
 * search request is encoded by ldapts's own SearchRequest / PagedResultsControl, and result codes
 * become ldapts's ResultCodeError classes (so errors read the same as everywhere else).
 *
 * Decoding follows ldapts's rules exactly (checked against ldapts on random entries by
 * test/unit/search-stream.test.ts): values are UTF-8 text; an attribute whose values are bytes
 * (a binary attribute such as objectGUID or `;binary`, or any value that is not valid UTF-8) has
 * all its values in base64; names that differ only in case are merged in server order; attributes
 * without values are left out.
 */
import { isUtf8 } from 'node:buffer';
import type { Socket } from 'node:net';
import { PagedResultsControl, SearchRequest, StatusCodeParser, type Filter } from 'ldapts';
import type { EntryInput } from '../scripts/wire';
import { isBinaryAttribute } from '../preview/entry-values';

/** A search entry as scripts receive it, plus which attributes came as base64 (for snapshots). */
export interface DirectoryEntry extends EntryInput {
  /** Names (server spelling) of the attributes whose values are base64; absent when none. */
  binary?: string[];
}

/** One page of a paged search. */
export interface SearchPage {
  entries: DirectoryEntry[];
  /** Continuation references (referrals to other servers) returned with this page. */
  references: string[];
}

const TAG_SEQUENCE = 0x30;
const TAG_SET = 0x31;
const TAG_OCTET_STRING = 0x04;
const TAG_INTEGER = 0x02;
const TAG_ENUMERATED = 0x0a;
const TAG_BOOLEAN = 0x01;
const OP_SEARCH_ENTRY = 0x64;
const OP_SEARCH_DONE = 0x65;
const OP_SEARCH_REFERENCE = 0x73;
const OP_EXTENDED_RESPONSE = 0x78;
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
function readLength(buf: Buffer, p: number, end: number, lenOut: Int32Array | number[]): number {
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
class Reader {
  private readonly len = [0];
  constructor(
    readonly buf: Buffer,
    public p: number,
    readonly end: number,
  ) {}

  /**
   * Enters an element with this tag; returns the end offset of its contents. `what` (and the
   * attribute it belongs to, `of`) name the element in the error; kept apart so that nothing is
   * concatenated unless there is an error.
   */
  enter(tag: number, what: string, of?: string): number {
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
interface NameInfo {
  bytes: Buffer;
  name: string;
  lower: string;
  binary: boolean;
}

/**
 * The names at each attribute position of the last entries. Entries of one search mostly list the
 * same attributes in the same order, so comparing a few bytes saves making the name string and
 * looking it up (lower case, binary) for every attribute of every entry.
 */
const nameAtPosition: (NameInfo | undefined)[] = [];

function nameInfo(buf: Buffer, s: number, e: number, position: number): NameInfo {
  const cached = nameAtPosition[position];
  if (cached !== undefined && cached.bytes.length === e - s) {
    const b = cached.bytes;
    let i = 0;
    while (i < b.length && b[i] === buf[s + i]) i++;
    if (i === b.length) return cached;
  }
  const name = buf.toString('utf8', s, e);
  const info: NameInfo = { bytes: Buffer.from(buf.subarray(s, e)), name, lower: lowerName(name), binary: isBinaryAttribute(name) };
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

/** What a SearchResultDone (or a Notice of Disconnection) said. */
interface Done {
  status: number;
  matchedDN: string;
  errorMessage: string;
  /** The paged-results cookie; empty when the search is complete. */
  cookie: Buffer;
}

/** Decodes an LDAPResult plus the message's controls (for the paged-results cookie). */
function decodeDone(buf: Buffer, p: number, opEnd: number, messageEnd: number): Done {
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

/** The error for a result code other than success, as ldapts reports it (ResultCodeError subclasses). */
function resultError(d: { status: number; errorMessage: string }): Error {
  return StatusCodeParser.parse({ status: d.status, errorMessage: d.errorMessage } as Parameters<typeof StatusCodeParser.parse>[0]);
}

export interface PagedSearchOptions {
  baseDN: string;
  scope: 'base' | 'one' | 'sub';
  filter: Filter;
  attributes: string[];
  pageSize: number;
  /** Server-side time limit per page request, seconds (0: none). */
  timeLimit: number;
}

/** Message ids for our requests: far from ldapts's own counter (which starts at 1). */
const FIRST_MESSAGE_ID = 0x40000000;

/**
 * A paged search on a bound socket. The next page is requested as soon as the previous one is
 * complete, so the directory prepares it while the caller processes; at most two finished pages
 * wait, so memory stays bounded when the caller is slower than the directory. While it runs, the
 * socket's other `data` listeners (ldapts's) are detached; {@link close} gives them back.
 */
export class PagedSearch {
  private messageId = FIRST_MESSAGE_ID;
  private readonly detached: ((...args: unknown[]) => void)[];
  /** Unparsed bytes: chunks waiting until a whole message is there. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes needed before parsing again (0: unknown). */
  private needed = 0;
  private current: SearchPage = { entries: [], references: [] };
  private readonly ready: SearchPage[] = [];
  /** Cookie of the last page when the next request waits for the caller to catch up. */
  private pendingCookie: Buffer | null = null;
  private inFlight = false;
  private finished = false;
  private failure: Error | null = null;
  private waiter: { resolve: (p: SearchPage | null) => void; reject: (e: Error) => void } | null = null;
  private closed = false;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onClose = () => this.fail(Object.assign(new Error('Connection closed by the directory'), { code: 'ECONNRESET' }));
  private readonly onError = (err: Error) => this.fail(err);

  constructor(
    private readonly socket: Socket,
    private readonly o: PagedSearchOptions,
  ) {
    this.detached = socket.listeners('data') as ((...args: unknown[]) => void)[];
    for (const l of this.detached) socket.off('data', l);
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
    this.request(Buffer.alloc(0));
  }

  /** The next page, or null when the search is complete. Rejects on any directory or connection error. */
  next(): Promise<SearchPage | null> {
    if (this.waiter) return Promise.reject(new Error('PagedSearch.next() called twice'));
    if (this.failure) return Promise.reject(this.failure);
    const page = this.ready.shift();
    if (page) {
      this.maybeRequest();
      return Promise.resolve(page);
    }
    if (this.finished) return Promise.resolve(null);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Stops listening and gives the socket's data back to ldapts (for its unbind). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
    for (const l of this.detached) this.socket.on('data', l);
    this.chunks = [];
    this.ready.length = 0;
  }

  private request(cookie: Buffer): void {
    this.messageId++;
    const req = new SearchRequest({
      messageId: this.messageId,
      baseDN: this.o.baseDN,
      scope: this.o.scope,
      filter: this.o.filter,
      attributes: this.o.attributes,
      timeLimit: this.o.timeLimit,
      controls: [new PagedResultsControl({ value: { size: this.o.pageSize, cookie } })],
    });
    this.inFlight = true;
    this.socket.write(req.write());
  }

  private maybeRequest(): void {
    if (this.pendingCookie && !this.inFlight && this.ready.length < 2 && !this.failure && !this.closed) {
      const cookie = this.pendingCookie;
      this.pendingCookie = null;
      this.request(cookie);
    }
  }

  private fail(err: Error): void {
    if (this.failure || this.finished) return;
    this.failure = err;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(err);
  }

  /** Hands a finished page (or the end) to a waiting caller. */
  private deliver(): void {
    const w = this.waiter;
    if (!w) return;
    const next = this.ready.shift();
    if (next) {
      this.waiter = null;
      this.maybeRequest();
      w.resolve(next);
    } else if (this.finished) {
      this.waiter = null;
      w.resolve(null);
    }
  }

  private receive(chunk: Buffer): void {
    if (this.failure || this.finished || this.closed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.needed > 0 && this.buffered < this.needed) return;
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    this.needed = 0;
    let consumed: number;
    try {
      consumed = this.parse(buf);
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
      this.socket.destroy();
      return;
    }
    if (consumed < buf.length && !this.finished && !this.failure) {
      // Keep only the incomplete message (a copy, so the big chunk it came from can be freed).
      const rest = Buffer.from(buf.subarray(consumed));
      this.chunks.push(rest);
      this.buffered = rest.length;
    }
  }

  /** Parses every complete message in `buf`; returns the bytes consumed. */
  private parse(buf: Buffer): number {
    const len = [0];
    let p = 0;
    while (p < buf.length) {
      if (buf[p] !== TAG_SEQUENCE) throw new LdapDecodeError(`message starts with 0x${buf[p].toString(16)}`);
      const q = readLength(buf, p + 1, buf.length, len);
      if (q < 0) return p;
      const messageEnd = q + len[0];
      if (messageEnd > buf.length) {
        this.needed = messageEnd - p;
        return p;
      }
      this.message(buf, q, messageEnd);
      p = messageEnd;
      if (this.finished || this.failure) return p;
    }
    return p;
  }

  private message(buf: Buffer, p: number, end: number): void {
    const r = new Reader(buf, p, end);
    const id = r.integer(TAG_INTEGER, 'the message id');
    const op = r.peek();
    const opEnd = r.enter(op, 'the protocol operation');
    if (id === 0) {
      // An unsolicited notification (RFC 4511 4.4): the server is ending the session.
      const d = op === OP_EXTENDED_RESPONSE ? decodeDone(buf, r.p, opEnd, end) : null;
      const why = d?.errorMessage ? `: ${d.errorMessage}` : '';
      this.fail(Object.assign(new Error(`Connection closed by the directory (notice of disconnection${why})`), { code: 'ECONNRESET' }));
      return;
    }
    if (id !== this.messageId) return; // not ours (nothing else is outstanding on this connection)
    switch (op) {
      case OP_SEARCH_ENTRY:
        this.current.entries.push(decodeSearchEntry(buf, r.p, opEnd));
        return;
      case OP_SEARCH_REFERENCE:
        while (r.p < opEnd) this.current.references.push(r.string('a referral URL'));
        return;
      case OP_SEARCH_DONE: {
        const d = decodeDone(buf, r.p, opEnd, end);
        this.inFlight = false;
        if (d.status !== 0) {
          this.fail(resultError(d));
          return;
        }
        const page = this.current;
        this.current = { entries: [], references: [] };
        if (page.entries.length > 0 || page.references.length > 0) this.ready.push(page);
        // RFC 2696: an empty cookie ends the search. A page may be empty and still not the last
        // (Active Directory ends a page early when its per-page time is up).
        if (d.cookie.length > 0) {
          this.pendingCookie = d.cookie;
          this.maybeRequest();
        } else this.finished = true;
        this.deliver();
        return;
      }
      default:
        throw new LdapDecodeError(`unexpected operation 0x${op.toString(16)} in a search`);
    }
  }
}
