/**
 * The read worker: connects, binds and runs the strict paged search (src-main/ldap/strict-read.ts)
 * off the main thread, writing each page's entries from BER straight into JSON (ldap-json.ts) and
 * posting the page as one transferable buffer (src-main/directory/entry-page.ts). Started by readDirectory (src-main/ldap/reader.ts).
 *
 * The worker may be started ahead of the read (its module loading overlaps the caller's other
 * preparations); it does nothing until told what to read.
 * Messages from main: {@link ReadWorkerStart} once (the password is used for the bind and never
 * sent back, logged or put in an error), then `{ type: 'ack' }` for each page main has
 * processed. Unacknowledged pages are bounded (see {@link mayReadOn}), so memory stays bounded
 * when main is slower than the directory; the bound is generous enough that the read runs ahead
 * while main is still loading the script engine and the managed users.
 * Messages to main: {@link ReadWorkerMessage}.
 */
import { parentPort } from 'node:worker_threads';
import { AppError } from '../../src-shared/errors';
import { readStrict } from '../ldap/strict-read';
import type { ReadWorkerMessage, ReadWorkerStart } from '../ldap/read-protocol';

/** Pages posted but not yet acknowledged: this many at least, whatever their size... */
const MIN_PAGES_IN_FLIGHT = 2;
/** ...and more while they hold at most this many bytes in all (about 30 pages of 1000 typical users). */
const MAX_BYTES_IN_FLIGHT = 8 << 20;

/** True when another page may be posted while `sizes` (bytes of each unacknowledged page) wait. */
function mayReadOn(sizes: readonly number[]): boolean {
  if (sizes.length < MIN_PAGES_IN_FLIGHT) return true;
  let bytes = 0;
  for (const s of sizes) bytes += s;
  return bytes < MAX_BYTES_IN_FLIGHT;
}

const port = parentPort;
if (!port) throw new Error('read-worker runs as a worker thread only');

/** Sizes of the pages posted and not yet acknowledged, oldest first. */
const inFlight: number[] = [];
let wake: (() => void) | null = null;
const post = (m: ReadWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

let started = false;
// A worker started ahead that is never told to read (its caller failed first) ends by itself.
const idle = setTimeout(() => process.exit(0), 60_000);

port.on('message', (m: ReadWorkerStart | { type: 'ack' }) => {
  if (m.type === 'ack') {
    inFlight.shift();
    const w = wake;
    wake = null;
    w?.();
    return;
  }
  if (m.type === 'start' && !started) {
    started = true;
    clearTimeout(idle);
    void read(m);
  }
});

async function read(m: ReadWorkerStart): Promise<void> {
  try {
    const r = await readStrict({
      target: m.target,
      password: m.password,
      attributes: m.attributes,
      pageSize: m.pageSize,
      domainScope: m.domainScope,
      columns: m.columns,
      onConnected: () => post({ type: 'connected' }),
      // Entries go from BER straight into the page's JSON (ldap-json.ts): no objects made here.
      onJsonPage: async (page) => {
        inFlight.push(page.buffer.byteLength);
        post({ type: 'page', buffer: page.buffer, count: page.count }, [page.buffer]);
        while (!mayReadOn(inFlight)) await new Promise<void>((r) => (wake = r));
      },
    });
    post({ type: 'done', entries: r.entries, pages: r.pages, references: r.references });
  } catch (err) {
    // readStrict maps every directory error to an AppError whose message never holds the password.
    const e = err instanceof AppError ? err : new AppError('INTERNAL', `The directory reader failed: ${err instanceof Error ? err.message : String(err)}. Nothing was changed.`);
    post({ type: 'error', code: e.code, message: e.message });
  }
}
