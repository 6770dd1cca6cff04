/**
 * Benchmark: the read worker's CPU per entry, without a directory or a socket: 100k realistic
 * users (the attributes a sync asks slapd for, bench:sync's directory) encoded once as LDAP
 * SearchResultEntry messages in pages of 1,000 (with test/unit/ber-entries.ts, as the tests do),
 * then decoded and written as column pages on this thread.
 *
 *   npm run bench:read-columns -- [--entries 100000] [--runs 7]
 *
 * The cases take turns, with a GC before each, after one warm-up round (which digests the pages):
 *   - writer: ColumnPageWriter.add on each entry's contents, finish() per page (decode + column write);
 *   - json writer: the same with JsonPageWriter (entry JSON: a snapshot's or a dynamic script's read);
 *   - stream 64k / 1msg: the whole paged search (search-stream.ts's PagedSearch: framing, joining
 *     messages split across reads, the paged-results cookie) on a stand-in socket, fed the messages
 *     in 64 KiB reads (a directory ahead of the reader) or one message per read (a reader keeping
 *     up with slapd, which writes each entry on its own; a live read of 100k users on this thread
 *     made about 4,000 reads, so it lies between the two), with an event-loop turn every 64 KiB.
 *     Node's own cost per socket read is not in it.
 * Prints medians of CPU (this process) and wall per round, entries/s, and a digest of every page's
 * bytes: a change to the writer must leave the digest as it was.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { BerWriter, PresenceFilter } from 'ldapts';
import { ColumnPageWriter } from '../src-main/ldap/ldap-columns';
import { JsonPageWriter } from '../src-main/ldap/ldap-json';
import { PagedSearch } from '../src-main/ldap/search-stream';
import { encodeEntry, utf8, type Attr } from '../test/unit/ber-entries';
import { userAttributes, userDn } from '../test/rig/directory-data';
import { parseIntArgs } from './args';
import { collector, machineLine, median, runBench, table } from './runtime';

type Hash = ReturnType<typeof createHash>;

const PAGE = 1000;
const CHUNK = 64 * 1024;
/** What a sync of bench:sync's scripts asks for (attributesToFetch + the directory ids), lower-cased. */
const COLUMNS = ['departmentnumber', 'employeetype', 'givenname', 'mail', 'sn', 'uid', 'entryuuid', 'objectguid', 'nsuniqueid', 'ipauniqueid'];
/** The first page's message id of a PagedSearch (search-stream.ts's FIRST_MESSAGE_ID + 1). */
const FIRST_ID = 0x40000001;
const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';

/** A deterministic entryUUID for user i. */
function uuid(i: number): string {
  const h = createHash('md5').update(`user${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** User i's SearchResultEntry contents, attributes in slapd's order (the entry's, then entryUUID). */
function userEntry(i: number): Buffer {
  const a = userAttributes(i);
  const attrs: Attr[] = [['uid', [utf8(a.uid)]], ['sn', [utf8(a.sn)]], ['givenName', [utf8(a.givenName)]], ['mail', [utf8(a.mail)]], ['employeeType', [utf8(a.employeeType)]], ['departmentNumber', [utf8(a.departmentNumber)]], ['entryUUID', [utf8(uuid(i))]]];
  return encodeEntry(userDn(i), attrs);
}

/** An LDAPMessage: id, then the operation with this tag around `contents`, then optional controls. */
function message(id: number, op: number, contents: Buffer, controls?: Buffer): Buffer {
  const w = new BerWriter();
  w.startSequence();
  w.writeInt(id);
  w.writeBuffer(contents, op);
  if (controls) w.writeBuffer(controls, 0xa0);
  w.endSequence();
  return w.buffer;
}

/** SearchResultDone (success) with the paged-results control and its cookie (empty on the last page). */
function done(id: number, cookie: Buffer): Buffer {
  const result = new BerWriter();
  result.writeEnumeration(0);
  result.writeString('');
  result.writeString('');
  const value = new BerWriter();
  value.startSequence();
  value.writeInt(0);
  value.writeBuffer(cookie, 0x04);
  value.endSequence();
  const control = new BerWriter();
  control.startSequence();
  control.writeString(PAGED_RESULTS_OID);
  control.writeBuffer(value.buffer, 0x04);
  control.endSequence();
  return message(id, 0x65, result.buffer, control.buffer);
}

/** A socket for PagedSearch: requests go nowhere, responses are emitted by the bench. */
class StandInSocket extends EventEmitter {
  write(): boolean {
    return true;
  }
  destroy(): void {}
}

interface Data {
  /** Every message, as one buffer (few objects: the GC between rounds stays cheap). */
  stream: Buffer;
  /** Where each entry's SearchResultEntry contents start and end in `stream`. */
  starts: Int32Array;
  ends: Int32Array;
  /** The messages as a socket's reads hand them over when the directory is ahead: 64 KiB each. */
  chunks: Buffer[];
  /** ...and when the reader keeps up with it: one message each (slapd writes each entry on its own). */
  messages: Buffer[];
}

function makeData(n: number): Data {
  const messages: Buffer[] = [];
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  let at = 0;
  for (let i = 1; i <= n; i++) {
    const e = userEntry(i);
    const page = Math.floor((i - 1) / PAGE);
    const m = message(FIRST_ID + page, 0x64, e);
    starts[i - 1] = at + m.length - e.length;
    ends[i - 1] = at + m.length;
    messages.push(m);
    at += m.length;
    if (i % PAGE === 0 || i === n) {
      const d = done(FIRST_ID + page, i === n ? Buffer.alloc(0) : Buffer.from(`cookie${page}`));
      messages.push(d);
      at += d.length;
    }
  }
  const stream = Buffer.concat(messages);
  const chunks: Buffer[] = [];
  for (let p = 0; p < stream.length; p += CHUNK) chunks.push(stream.subarray(p, Math.min(p + CHUNK, stream.length)));
  const reads: Buffer[] = [];
  for (let p = 0, k = 0; k < messages.length; p += messages[k++].length) reads.push(stream.subarray(p, p + messages[k].length));
  return { stream, starts, ends, chunks, messages: reads };
}

/** Decode + column write of every entry (or entry JSON, for a read of every attribute), straight into the writer. */
function runWriter(d: Data, digest: Hash | null, json = false): number {
  const w = json ? new JsonPageWriter() : new ColumnPageWriter(COLUMNS);
  let count = 0;
  for (let from = 0; from < d.starts.length; from += PAGE) {
    for (let i = from; i < Math.min(from + PAGE, d.starts.length); i++) w.add(d.stream, d.starts[i], d.ends[i]);
    const page = w.finish();
    count += page.count;
    digest?.update(new Uint8Array(page.buffer));
  }
  return count;
}

/** The paged search on a stand-in socket fed these reads, with an event-loop turn every 64 KiB (the caller takes its pages). */
async function runStream(reads: Buffer[], digest: Hash | null): Promise<number> {
  const socket = new StandInSocket();
  const search = new PagedSearch(socket as unknown as Socket, {
    baseDN: 'dc=example,dc=com', scope: 'sub', filter: new PresenceFilter({ attribute: 'objectClass' }), attributes: COLUMNS, pageSize: PAGE, timeLimit: 10, json: true, columns: COLUMNS,
  });
  let count = 0;
  const consumer = (async () => {
    for (;;) {
      const page = await search.next();
      if (!page) return;
      if (page.json) {
        count += page.json.count;
        digest?.update(new Uint8Array(page.json.buffer));
      }
    }
  })();
  let since = 0;
  for (const chunk of reads) {
    socket.emit('data', chunk);
    since += chunk.length;
    if (since >= CHUNK) {
      since = 0;
      await new Promise<void>((r) => setImmediate(r));
    }
  }
  await consumer;
  search.close();
  return count;
}

interface Round {
  cpuMs: number;
  wallMs: number;
}

/** One round; it also digests the pages when given `digest` (the warm-up round only: hashing is not what is measured). */
async function measure(gc: () => void, fn: (digest: Hash | null) => number | Promise<number>, n: number, digest: Hash | null): Promise<Round> {
  gc();
  // The collector's helper threads finish sweeping before the round (process CPU counts them).
  await new Promise((r) => setTimeout(r, 50));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const count = await fn(digest);
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (count !== n) throw new Error(`read ${count} entries, not ${n}`);
  return { cpuMs: (c.user + c.system) / 1000, wallMs };
}

async function main(): Promise<void> {
  const { entries: n, runs } = parseIntArgs(process.argv.slice(2), { entries: 100_000, runs: 7 }, 'usage: npm run bench:read-columns -- [--entries N (default 100000)] [--runs R (default 7)]');
  console.log(machineLine());
  const gc = collector();
  const data = makeData(n);
  console.log(`${n} entries in pages of ${PAGE}: ${(data.stream.length / 2 ** 20).toFixed(1)} MiB of LDAP messages, ${COLUMNS.length} columns`);
  const cases: [string, (digest: Hash | null) => number | Promise<number>][] = [
    ['writer', (h) => runWriter(data, h)],
    ['json writer', (h) => runWriter(data, h, true)],
    ['stream 64k', (h) => runStream(data.chunks, h)],
    ['stream 1msg', (h) => runStream(data.messages, h)],
  ];
  // The warm-up round digests the pages (hashing is not part of what is measured).
  const digests = new Map<string, string>();
  for (const [name, fn] of cases) {
    const h = createHash('sha1');
    await measure(gc, fn, n, h);
    digests.set(name, h.digest('hex').slice(0, 16));
  }
  const rounds = new Map<string, Round[]>(cases.map(([name]) => [name, []]));
  for (let r = 0; r < runs; r++) for (const [name, fn] of cases) rounds.get(name)!.push(await measure(gc, fn, n, null));
  const rows = cases.map(([name]) => {
    const rs = rounds.get(name)!;
    const cpu = median(rs.map((x) => x.cpuMs));
    const wall = median(rs.map((x) => x.wallMs));
    return [name, cpu.toFixed(1), wall.toFixed(1), Math.round(n / (cpu / 1000)).toLocaleString('en-US'), Math.round(n / (wall / 1000)).toLocaleString('en-US'), digests.get(name)!];
  });
  console.log(`medians of ${runs} rounds:`);
  console.log(table(['case', 'cpu ms', 'wall ms', 'entries/cpu s', 'entries/s', 'pages digest'], rows));
}

runBench(main);
