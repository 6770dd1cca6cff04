/**
 * The sync's bulk read: a paged search over a connection ldapts opened, secured and bound, with
 * the responses decoded by ldap-decode.ts, straight into the entries scripts receive.
 *
 * Why not ldapts's own search: at 100k entries its message objects (a SearchEntry, an Attribute
 * with a Buffer per value, then an Entry object per entry, then our EntryInput) cost about 12 µs
 * per entry plus most of the run's garbage, half of a whole read. ldapts still owns everything
 * else: connecting, TLS and StartTLS with our verification, the bind and its errors, unbind. The
 * search request is encoded by ldapts's own SearchRequest / PagedResultsControl, and result codes
 * become ldapts's ResultCodeError classes (so errors read the same as everywhere else).
 */
import type { Socket } from 'node:net';
import { PagedResultsControl, PresenceFilter, SearchRequest, StatusCodeParser, type Control, type Filter } from 'ldapts';
import {
  decodeDone, decodeEntryAttributes, decodeSearchEntry, LdapDecodeError, OP_EXTENDED_RESPONSE, OP_SEARCH_DONE, OP_SEARCH_ENTRY, OP_SEARCH_REFERENCE,
  readLength, Reader, TAG_INTEGER, TAG_SEQUENCE,
} from './ldap-decode';
import type { DirectoryEntry } from '../directory/entry';
import { JsonPageWriter, type JsonPage } from './ldap-json';
import { ColumnPageWriter } from './ldap-columns';
import type { FetchedAttribute } from './ranged-attributes';

/** One page of a paged search. */
export interface SearchPage {
  /** The entries (empty when the search writes JSON pages: see {@link PagedSearchOptions.json}). */
  entries: DirectoryEntry[];
  /** With `json`: the page's entries as one buffer (src-main/directory/entry-page.ts's format), and entries held back to complete their ranged attributes. */
  json?: JsonPage;
  /** Continuation references (referrals to other servers) returned with this page. */
  references: string[];
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
  /** Write each page's entries as JSON into one buffer (ldap-json.ts) instead of making entry objects. */
  json?: boolean;
  /** With `json`: write column pages for these attributes (lower-cased, ldap-columns.ts) instead of entry objects. */
  columns?: readonly string[];
  /** Request controls sent with every page besides paged results (e.g. Active Directory's domain scope). */
  controls?: Control[];
}

/** A base-scope search of one entry running alongside the paged search (see {@link PagedSearch.lookup}). */
interface Lookup {
  attributes: FetchedAttribute[];
  resolve: (a: FetchedAttribute[]) => void;
  reject: (e: Error) => void;
}

/** Message ids for our requests: far from ldapts's own counter (which starts at 1). */
const FIRST_MESSAGE_ID = 0x40000000;
/** Message ids of lookups: apart from the pages' ids, so that a response finds its request. */
const FIRST_LOOKUP_ID = 0x50000000;

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
  private readonly writer: JsonPageWriter | null;
  /** One reader for every message (an object per entry would be most of the read's garbage). */
  private readonly reader = new Reader(Buffer.alloc(0), 0, 0);
  private readonly ready: SearchPage[] = [];
  /** Cookie of the last page when the next request waits for the caller to catch up. */
  private pendingCookie: Buffer | null = null;
  private inFlight = false;
  private finished = false;
  private failure: Error | null = null;
  private waiter: { resolve: (p: SearchPage | null) => void; reject: (e: Error) => void } | null = null;
  private closed = false;
  private lookupId = FIRST_LOOKUP_ID;
  private readonly lookups = new Map<number, Lookup>();
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onClose = () => this.fail(Object.assign(new Error('Connection closed by the directory'), { code: 'ECONNRESET' }));
  private readonly onError = (err: Error) => this.fail(err);

  constructor(
    private readonly socket: Socket,
    private readonly o: PagedSearchOptions,
  ) {
    this.writer = o.json ? (o.columns ? new ColumnPageWriter(o.columns) : new JsonPageWriter()) : null;
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

  /**
   * Reads attributes of one entry with a base-scope search on this connection, alongside the paged
   * search (LDAP allows several operations at once; this one carries no paged-results control, so
   * the paged search's state is untouched). Resolves with every attribute returned, also those
   * without values. For the other ranges of a ranged attribute (ranged-attributes.ts).
   */
  lookup(dn: string, attributes: string[]): Promise<FetchedAttribute[]> {
    if (this.closed) return Promise.reject(new Error('PagedSearch.lookup() after close()'));
    if (this.failure) return Promise.reject(this.failure);
    const messageId = ++this.lookupId;
    const req = new SearchRequest({
      messageId,
      baseDN: dn,
      scope: 'base',
      filter: new PresenceFilter({ attribute: 'objectClass' }),
      attributes,
      timeLimit: this.o.timeLimit,
      controls: this.o.controls ?? [],
    });
    return new Promise((resolve, reject) => {
      this.lookups.set(messageId, { attributes: [], resolve, reject });
      this.socket.write(req.write());
    });
  }

  /** Stops listening and gives the socket's data back to ldapts (for its unbind). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failLookups(new Error('The search was closed'));
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
      controls: [new PagedResultsControl({ value: { size: this.o.pageSize, cookie } }), ...(this.o.controls ?? [])],
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

  private failLookups(err: Error): void {
    const pending = [...this.lookups.values()];
    this.lookups.clear();
    for (const l of pending) l.reject(err);
  }

  /** True while bytes may still come for us: the paged search runs, or a lookup waits. */
  private get listening(): boolean {
    return !this.failure && !this.closed && (!this.finished || this.lookups.size > 0);
  }

  private fail(err: Error): void {
    this.failLookups(err);
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
    if (!this.listening) return;
    let from = 0;
    if (this.buffered > 0) {
      // A message begun in an earlier read: joined with as much of this read as it needs (all of
      // it while its length is unknown), not with the whole read (a copy of every read, before).
      const needed = this.needed;
      if (needed > 0 && this.buffered + chunk.length < needed) {
        this.chunks.push(chunk);
        this.buffered += chunk.length;
        return;
      }
      from = needed > 0 ? needed - this.buffered : chunk.length;
      this.chunks.push(from === chunk.length ? chunk : chunk.subarray(0, from));
      const head = Buffer.concat(this.chunks, this.buffered + from);
      this.chunks = [];
      this.buffered = 0;
      this.needed = 0;
      if (!this.consume(head, 0) || from === chunk.length) return;
      if (this.buffered > 0) {
        // Not reached (the head is exactly one message), but never parse past a message left incomplete.
        this.chunks.push(chunk.subarray(from));
        this.buffered += chunk.length - from;
        this.needed = 0;
        return;
      }
    }
    this.consume(chunk, from);
  }

  /** Parses the messages in buf from `from` on and keeps an incomplete last one; false once nothing more is to be read. */
  private consume(buf: Buffer, from: number): boolean {
    let consumed: number;
    try {
      consumed = this.parse(buf, from);
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
      this.socket.destroy();
      return false;
    }
    if (consumed < buf.length && this.listening) {
      // Keep only the incomplete message (a copy, so the big chunk it came from can be freed).
      const rest = Buffer.from(buf.subarray(consumed));
      this.chunks.push(rest);
      this.buffered = rest.length;
    }
    return this.listening;
  }

  /** Parses every complete message in `buf` from `from` on; returns the offset after the last one. */
  private parse(buf: Buffer, from: number): number {
    const len = [0];
    let p = from;
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
      if (!this.listening) return p;
    }
    return p;
  }

  private message(buf: Buffer, p: number, end: number): void {
    const r = this.reader.reset(buf, p, end);
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
    const lookup = this.lookups.get(id);
    if (lookup) {
      this.lookupMessage(id, lookup, op, buf, r.p, opEnd, end);
      return;
    }
    if (id !== this.messageId) return; // not ours (nothing else is outstanding on this connection)
    switch (op) {
      case OP_SEARCH_ENTRY:
        if (this.writer) this.writer.add(buf, r.p, opEnd);
        else this.current.entries.push(decodeSearchEntry(buf, r.p, opEnd));
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
        if (this.writer && this.writer.entries > 0) page.json = this.writer.finish();
        if (page.entries.length > 0 || page.json || page.references.length > 0) this.ready.push(page);
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

  private lookupMessage(id: number, l: Lookup, op: number, buf: Buffer, p: number, opEnd: number, end: number): void {
    switch (op) {
      case OP_SEARCH_ENTRY:
        l.attributes.push(...decodeEntryAttributes(buf, p, opEnd));
        return;
      case OP_SEARCH_REFERENCE:
        return; // a base-scope search of an entry we were given: no reference can name more of it
      case OP_SEARCH_DONE: {
        const d = decodeDone(buf, p, opEnd, end);
        this.lookups.delete(id);
        if (d.status !== 0) l.reject(resultError(d));
        else l.resolve(l.attributes);
        return;
      }
      default:
        throw new LdapDecodeError(`unexpected operation 0x${op.toString(16)} in a search`);
    }
  }
}
