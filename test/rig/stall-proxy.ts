import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a plain-LDAP server that can stop forwarding the server's
 * bytes to the client while the connection stays open: after N bytes, after N complete search
 * result pages (SearchResultDone messages), or on command. The client's requests still reach the
 * server, so the server answers and the proxy holds the answer back: a directory that stalls in
 * the middle of a read, whatever the client buffers ahead (unlike SIGSTOP on the server, which
 * comes too late when the client has already read every page into its buffers).
 */
export interface StallProxy {
  /** Port on 127.0.0.1. */
  port: number;
  /** `ldap://127.0.0.1:<port>`. */
  url: string;
  /** Stops forwarding server bytes once `pages` more SearchResultDone messages have been forwarded. */
  stallAfterPages(pages: number): void;
  /** Stops forwarding server bytes once `bytes` more bytes have been forwarded. */
  stallAfterBytes(bytes: number): void;
  /** Stops forwarding server bytes now. */
  stall(): void;
  /** Forwards again (what was held back first). */
  resume(): void;
  /** `performance.now()` when the proxy began holding bytes back (0: not stalled). */
  readonly stalledAt: number;
  /** SearchResultDone messages forwarded so far. */
  readonly pagesForwarded: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

/** LDAP protocolOp tag of SearchResultDone ([APPLICATION 5], constructed). */
const SEARCH_RESULT_DONE = 0x65;

/** The length of the BER element at `at` (tag, length octets, content), or -1 when `buf` does not hold it all yet. */
function elementLength(buf: Buffer, at: number): number {
  if (buf.length < at + 2) return -1;
  const first = buf[at + 1];
  if (first < 0x80) return buf.length >= at + 2 + first ? 2 + first : -1;
  const octets = first & 0x7f;
  if (buf.length < at + 2 + octets) return -1;
  let len = 0;
  for (let i = 0; i < octets; i++) len = len * 256 + buf[at + 2 + i];
  const total = 2 + octets + len;
  return buf.length >= at + total ? total : -1;
}

/** The protocolOp tag of the LDAPMessage at the start of `msg` (SEQUENCE { messageID INTEGER, protocolOp ... }). */
function protocolOp(msg: Buffer): number {
  const lenOctets = msg[1] < 0x80 ? 0 : msg[1] & 0x7f;
  const id = 2 + lenOctets; // the messageID INTEGER
  const idLen = msg[id + 1]; // short form: message ids are small
  return msg[id + 2 + idLen];
}

/** Starts the proxy in front of `target` (a plain ldap:// server on 127.0.0.1). */
export function startStallProxy(target: { host: string; port: number }): Promise<StallProxy> {
  const sockets = new Set<net.Socket>();
  const resumers = new Set<() => void>();
  let accepted = 0;
  let pages = 0;
  let stalledAt = 0;
  /** Pages or bytes left to forward before stalling (Infinity: no stall armed). */
  let pagesLeft = Infinity;
  let bytesLeft = Infinity;
  const stallNow = () => {
    if (stalledAt === 0) stalledAt = performance.now();
  };

  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    for (const s of [client, upstream]) {
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    // Server -> client, message by message, so a stall falls between two LDAP messages.
    let pending: Buffer = Buffer.alloc(0);
    /** Bytes still to forward of a message a byte limit cut in two. */
    let rawLeft = 0;
    const flush = () => {
      while (stalledAt === 0 && pending.length > 0) {
        const whole = rawLeft === 0;
        const n = whole ? elementLength(pending, 0) : Math.min(rawLeft, pending.length);
        if (n < 0) return;
        const take = Math.min(n, bytesLeft);
        const page = whole && take === n && protocolOp(pending) === SEARCH_RESULT_DONE;
        if (take > 0) client.write(pending.subarray(0, take));
        bytesLeft -= take;
        rawLeft = whole ? n - take : rawLeft - take;
        pending = pending.subarray(take);
        if (page) {
          pages++;
          pagesLeft--;
        }
        if (pagesLeft <= 0 || bytesLeft <= 0) stallNow();
      }
    };
    upstream.on('data', (b: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, b]) : b;
      flush();
    });
    resumers.add(flush);
    client.on('close', () => resumers.delete(flush));
  });

  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        url: `ldap://127.0.0.1:${port}`,
        stallAfterPages(n) {
          pagesLeft = n;
        },
        stallAfterBytes(n) {
          bytesLeft = n;
        },
        stall: stallNow,
        resume() {
          stalledAt = 0;
          pagesLeft = Infinity;
          bytesLeft = Infinity;
          for (const f of resumers) f();
        },
        get stalledAt() {
          return stalledAt;
        },
        get pagesForwarded() {
          return pages;
        },
        get connections() {
          return accepted;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
