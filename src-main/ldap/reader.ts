/**
 * Reads every entry the server's search filter matches, for a sync run, a simulation or a
 * snapshot capture. The connection, the paged search and the decoding run in the read worker
 * (src-main/workers/read-worker.ts), strict as ldap/strict-read.ts is: any directory error fails
 * the read, an outage is never taken for absence. Pages arrive here as one buffer each and are
 * decoded with one JSON.parse, so the main thread's event loop stays free for the window, cancel
 * and progress. Pages waiting unprocessed are bounded (2 pages, or up to 8 MB of them: the worker waits for acks).
 *
 * Cancel (the signal) terminates the worker, which closes its connection, within milliseconds.
 */
import { AppError, ERROR_CODES, type ErrorCode } from '../../src-shared/errors';
import type { DirectoryEntry } from '../directory/entry';
import { decodeEntryPage } from '../directory/entry-page';
import { decodeColumnPage, type ColumnPage } from '../directory/column-page';
import { cancelledRead, readStrict, SYNC_PAGE_SIZE, type StrictReadOptions, type StrictReadResult } from './strict-read';
import { pageSizeOf } from '../../src-shared/domain/page-size';
import { startWorker } from '../threads/start-worker';
import type { Worker } from 'node:worker_threads';
import type { ReadWorkerMessage, ReadWorkerStart } from './read-protocol';

export { SYNC_PAGE_SIZE } from './strict-read';

export interface ReadOptions extends StrictReadOptions {
  /** A read worker started ahead with {@link startReadWorker} (default: one is started now). It is terminated when the read ends. */
  worker?: Worker;
  /** Read on the calling thread instead of the read worker (for comparison in benches). */
  inThread?: boolean;
  /**
   * Hand the next page to onPage while the one before is still being processed (at most two at
   * once), so that decoding a page overlaps processing the previous one. The caller keeps its
   * effects in page order (the sync's onPage does: its script evaluations queue in order).
   */
  overlap?: boolean;
  /**
   * Pages as columns of these attributes (lower-cased) go to `onPage` here instead of entry objects
   * to the options' onPage: the read worker writes them straight from BER (ldap/ldap-columns.ts).
   */
  columns?: { names: string[]; onPage(page: ColumnPage): void | Promise<void> };
}

/**
 * Starts a read worker ahead of {@link readDirectory}, so that its start-up overlaps other
 * preparations. The caller hands it to readDirectory, or terminates it when it does not read.
 */
export function startReadWorker(): Worker {
  const w = warm;
  warm = null;
  if (w && fresh(w)) return w.worker;
  if (w) void w.worker.terminate();
  return newReadWorker();
}

/** A read worker started by {@link warmReadWorker} and not yet taken, with when it started. */
let warm: { worker: Worker; at: number } | null = null;

/**
 * Alive, and far from the minute after which an idle read worker ends by itself (read-worker.ts):
 * one taken at that edge could exit under the read.
 */
const fresh = (w: { worker: Worker; at: number }) => !ended.has(w.worker) && performance.now() - w.at < 30_000;

/**
 * Starts a read worker now for the next {@link startReadWorker} of this process: the CLI calls it
 * before it loads the app and opens the store, so the worker's start-up overlaps them. Unused, it
 * keeps nothing alive and ends by itself after a minute.
 */
export function warmReadWorker(): void {
  if (warm && fresh(warm)) return;
  if (warm) void warm.worker.terminate();
  warm = { worker: newReadWorker(), at: performance.now() };
}

function newReadWorker(): Worker {
  // A small young generation: the worker copies bytes into page buffers (outside the heap) and makes
  // few objects, so 2 MB keeps its memory about 20 MB lower at no cost in speed (measured at 100k).
  const worker = startWorker('read-worker', { resourceLimits: { maxYoungGenerationSizeMb: 2 } });
  // Idle, it must not keep the process alive (readDirectory refs it while it reads).
  worker.unref();
  // Until readDirectory listens: an error or exit now must not go unhandled or unnoticed.
  worker.on('error', (err) => {
    if (!ended.has(worker)) ended.set(worker, `an unexpected error: ${err.message}`);
  });
  worker.once('exit', (code) => {
    if (!ended.has(worker)) ended.set(worker, `exit code ${code}`);
  });
  return worker;
}

/** Why a worker started by startReadWorker ended before or while it was read from. */
const ended = new WeakMap<Worker, string>();
const stopped = (why: string) => new AppError('INTERNAL', `The directory reader stopped unexpectedly (${why}). Nothing was changed.`);

const codeOf = (code: string): ErrorCode => ((ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL');

/** Reads every matching entry; resolves with the number of entries and pages, and the references it ignored. */
export async function readDirectory(o: ReadOptions): Promise<StrictReadResult> {
  if (o.inThread) {
    void o.worker?.terminate();
    return readStrict(o);
  }
  if (o.signal?.aborted) {
    void o.worker?.terminate();
    throw cancelledRead();
  }
  const worker = o.worker ?? startReadWorker();
  return new Promise((resolve, reject) => {
    let settled = false;
    let busy = false;
    let done: StrictReadResult | null = null;
    const queue: ArrayBuffer[] = [];
    const finish = (err: Error | null, result?: StrictReadResult) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (err) reject(err);
      else resolve(result!);
    };
    const onAbort = () => finish(cancelledRead());
    o.signal?.addEventListener('abort', onAbort, { once: true });

    /** The last page handed over, acknowledged once processed (never rejects: a failure ends the read). */
    let last: Promise<void> | null = null;
    /** Hands a page to onPage; the returned promise settles once it is processed and acknowledged. */
    const handOver = (process: () => void | Promise<void>): Promise<void> =>
      (async () => process())().then(
        () => {
          if (settled) return;
          if (o.signal?.aborted) finish(cancelledRead());
          else worker.postMessage({ type: 'ack' });
        },
        (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
      );

    const drain = async () => {
      if (busy) return;
      busy = true;
      try {
        while (!settled && queue.length > 0) {
          const buffer = queue.shift()!;
          const before = last;
          if (o.columns) {
            const page = decodeColumnPage(buffer, o.columns.names);
            const columns = o.columns;
            last = handOver(() => columns.onPage(page));
          } else {
            const entries: DirectoryEntry[] = decodeEntryPage(buffer);
            last = handOver(() => o.onPage(entries));
          }
          // Without overlap a page is done before the next is decoded; with it, the next page is
          // decoded and handed over while this one is processed (see ReadOptions.overlap).
          await (o.overlap ? before : last);
          if (settled) return;
          // A turn of the event loop between pages: timers, IPC and cancel get through even when
          // pages queue up (awaiting a synchronous onPage alone would chain them in microtasks).
          await new Promise((r) => setImmediate(r));
          if (settled) return;
        }
        if (done && queue.length === 0) {
          await last;
          if (!settled) finish(null, done);
        }
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
      } finally {
        busy = false;
      }
    };

    worker.on('message', (m: ReadWorkerMessage) => {
      if (settled) return;
      switch (m.type) {
        case 'connected':
          o.onConnected?.();
          return;
        case 'page':
          queue.push(m.buffer);
          void drain();
          return;
        case 'done':
          done = { entries: m.entries, pages: m.pages, references: m.references };
          void drain();
          return;
        case 'error':
          finish(new AppError(codeOf(m.code), m.message));
      }
    });
    worker.on('error', (err) => finish(stopped(`an unexpected error: ${err.message}`)));
    worker.on('exit', (code) => finish(stopped(`exit code ${code}`)));
    const early = ended.get(worker);
    if (early) return finish(stopped(early));
    const start: ReadWorkerStart = {
      type: 'start',
      target: o.target,
      password: o.password,
      attributes: o.attributes,
      pageSize: o.pageSize ?? pageSizeOf(o.target),
      domainScope: o.domainScope,
      columns: o.columns?.names,
    };
    worker.ref();
    worker.postMessage(start);
  });
}
