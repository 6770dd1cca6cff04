/**
 * LDIF import into a snapshot, reading the input once: files, pipes (`/dev/stdin`), process
 * substitution (`<(...)`) and the app's own text alike. Reading twice (check, then store) made a
 * pipe import 0 entries and "succeed", and missed a file that changed between the passes.
 *
 * The entries are stored as they are read, in short transactions, into a snapshot that stays
 * invisible ('capturing': not listed, not usable as a source) until the last line was read and
 * checked; then one UPDATE makes it ready. A refused input (a bad line, a size limit, a file that
 * changed while read, Cancel, a read error) deletes it: the store is as it was. A process killed
 * meanwhile leaves an invisible snapshot that the next start removes (removeUnfinishedSnapshots).
 * Not one SQLite transaction on purpose: held open across the read, it would either take the
 * window's other writes into it (one connection) or keep every other writer out for the whole read.
 *
 * Counts are checked: the entries stored must be the entries read, and a regular file must have
 * as many bytes, and the same size and modification time, at the end as when it was opened.
 * The event loop gets a turn at least every ~10 ms of work (progress, Cancel and IPC go on).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type Database from 'better-sqlite3';
import type { SnapshotOrigin } from '../../src-shared/domain/snapshot';
import { AppError } from '../../src-shared/errors';
import { nextTurn } from '../directory/page-slices';
import { LdifSyntaxError, readLdifStream } from '../snapshots/ldif';
import { appendSnapshotEntries, deleteSnapshot, getSnapshot, insertSnapshot, markSnapshotReady, type SnapshotEntry } from '../store/snapshots-repo';

/** Entries per write transaction (a few ms each). */
const BATCH = 250;
/** Work between two turns of the event loop. */
const TURN_MS = 10;
/** Least time between two progress reports. */
const PROGRESS_MS = 100;
/** Bytes per read: the reader's work per chunk stays a few ms. */
const READ_CHUNK = 64 * 1024;

/** Progress of an import: entries stored, write batches, and bytes read out of the file's size (null for a stream). */
export interface LdifImportProgress {
  entries: number;
  pages: number;
  bytesRead: number;
  bytesTotal: number | null;
}

/** What {@link importLdif} takes. */
export interface LdifImportInput {
  name: string;
  /** The file's name as shown (in the snapshot and in messages). */
  fileName: string;
  origin?: Extract<SnapshotOrigin, 'ldif' | 'sample'>;
  /** The input, read once (see {@link openLdifFile} for a path). */
  input: LdifInput;
  signal?: AbortSignal;
  onProgress?: (p: LdifImportProgress) => void;
  now?: () => Date;
}

/** An opened input: its chunks, and for a regular file its size and a check that it did not change. */
export interface LdifInput {
  chunks: AsyncIterable<string | Uint8Array>;
  /** Size in bytes when known (a regular file). */
  size: number | null;
  /** Throws when the file changed while it was read; called after the last chunk. */
  checkUnchanged?: (bytesRead: number) => Promise<void>;
  close(): Promise<void>;
}

/** Names of the standard input: read from the process's stdin itself (opening /dev/stdin fails with ENXIO when it is a socket). */
const STDIN_NAMES = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/**
 * Opens a path once for an import: a regular file, or a pipe, FIFO or character device (read to
 * its end); `-` and `/dev/stdin` are the standard input. A folder is refused. The caller closes it.
 */
export async function openLdifFile(path: string, shownName: string = path): Promise<LdifInput> {
  if (STDIN_NAMES.has(path)) {
    const stdin = process.stdin;
    return { chunks: stdin, size: null, close: async () => void stdin.destroy() };
  }
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw fileError(err, shownName);
  }
  let before: Stats;
  try {
    before = await handle.stat();
  } catch (err) {
    await handle.close();
    throw fileError(err, shownName);
  }
  if (before.isDirectory()) {
    await handle.close();
    throw new AppError('INVALID_INPUT', `${shownName} is a folder: give the path of an LDIF file.`);
  }
  const regular = before.isFile();
  const chunks = handle.createReadStream({ highWaterMark: READ_CHUNK, autoClose: false });
  return {
    chunks,
    size: regular ? before.size : null,
    checkUnchanged: regular
      ? async (bytesRead) => {
          const after = await handle.stat();
          if (bytesRead !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
            throw new AppError('INVALID_INPUT', `${shownName} changed while it was read (${before.size.toLocaleString('en-US')} bytes when opened, ${bytesRead.toLocaleString('en-US')} read, ${after.size.toLocaleString('en-US')} now). Nothing was imported. Import it again once it is complete.`);
          }
        }
      : undefined,
    close: async () => {
      chunks.destroy();
      await handle.close().catch(() => undefined);
    },
  };
}

/** The size of a regular file in bytes, for the window's "60 MB" (null: not a regular file, or unreadable). */
export async function ldifFileSize(path: string): Promise<number | null> {
  try {
    const st = await stat(path);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

/** LDIF text already in memory (the bundled sample) as an input, in slices of `READ_CHUNK` characters. */
export function textInput(text: string): LdifInput {
  async function* slices() {
    for (let k = 0; k < text.length; k += READ_CHUNK) yield text.slice(k, k + READ_CHUNK);
  }
  return { chunks: slices(), size: null, close: async () => {} };
}

/**
 * Imports LDIF (RFC 2849 content records) as a new snapshot, reading `input` once; see the file
 * header. Resolves with the new snapshot's id; refuses (nothing stored) with INVALID_INPUT naming the
 * file and line, CANCELLED, CONFLICT (name taken) or the read error. Closes `input` in the end;
 * Cancel closes it at once (a pipe that sends nothing is not waited for).
 */
export async function importLdif(db: Database.Database, o: LdifImportInput): Promise<string> {
  const now = () => o.now?.() ?? new Date();
  const stop = () => void o.input.close();
  o.signal?.addEventListener('abort', stop, { once: true });
  try {
    return await importInto(db, o, now);
  } finally {
    o.signal?.removeEventListener('abort', stop);
    await o.input.close();
  }
}

async function importInto(db: Database.Database, o: LdifImportInput, now: () => Date): Promise<string> {
  if (o.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled by the admin: nothing was imported.');
  const snap = insertSnapshot(db, { name: o.name, origin: o.origin ?? 'ldif', fileName: o.fileName, attributes: 'all', status: 'capturing' }, now());
  let bytesRead = 0;
  let stored = 0;
  let pages = 0;
  let batch: SnapshotEntry[] = [];
  let reported = 0;
  /** Progress at most every PROGRESS_MS (a window gets a few events a second, not one per batch), and at the end. */
  const progress = (final = false) => {
    const now = performance.now();
    if (!final && now - reported < PROGRESS_MS) return;
    reported = now;
    o.onProgress?.({ entries: stored, pages, bytesRead, bytesTotal: o.input.size });
  };
  const flush = () => {
    if (!batch.length) return;
    const rows = batch;
    batch = [];
    db.transaction(() => appendSnapshotEntries(db, snap.id, stored, rows))();
    stored += rows.length;
    pages++;
    progress();
  };
  async function* counted() {
    for await (const chunk of o.input.chunks) {
      bytesRead += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
      yield chunk;
    }
  }
  try {
    let read = 0;
    let turn = performance.now();
    for await (const entry of readLdifStream(counted())) {
      read++;
      batch.push(entry);
      if (batch.length >= BATCH) flush();
      if (performance.now() - turn > TURN_MS) {
        await nextTurn();
        turn = performance.now();
      }
      if (o.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled by the admin: nothing was imported.');
    }
    flush();
    if (o.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled by the admin: nothing was imported.');
    await o.input.checkUnchanged?.(bytesRead);
    progress(true);
    if (read === 0) {
      throw new AppError('INVALID_INPUT', `${o.fileName} holds no entries (${bytesRead.toLocaleString('en-US')} bytes read): nothing to import.`);
    }
    const inStore = getSnapshot(db, snap.id)?.entries ?? 0;
    if (inStore !== read || stored !== read) {
      throw new Error(`The import of ${o.fileName} read ${read} entries but stored ${inStore}: nothing was imported.`);
    }
    markSnapshotReady(db, snap.id, now().toISOString());
    return snap.id;
  } catch (err) {
    try {
      deleteSnapshot(db, snap.id);
    } catch {
      // (A full disk, a busy store.) The invisible snapshot is removed at the next start; the first error is the one to report.
    }
    // Cancel closes the input: the read then ends with a premature-close error, which is the cancel.
    if (o.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled by the admin: nothing was imported.');
    throw ldifError(err, o.fileName);
  }
}

/** A problem of the file as the admin sees it: its name, the line, and that nothing was imported. */
export function ldifError(err: unknown, file: string): unknown {
  if (err instanceof LdifSyntaxError) {
    const problem = /[.!?]$/.test(err.problem) ? err.problem : `${err.problem}.`;
    return new AppError('INVALID_INPUT', `${file}, line ${err.line}: ${problem} Nothing was imported.`, [{ path: 'file', message: `line ${err.line}: ${err.problem}` }]);
  }
  return fileError(err, file);
}

function fileError(err: unknown, file: string): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new AppError('NOT_FOUND', `No file ${file}. Check the path.`);
  if (code === 'EACCES' || code === 'EPERM') return new AppError('INVALID_INPUT', `${file} cannot be read (permission denied): check its permissions.`);
  if (code === 'EISDIR') return new AppError('INVALID_INPUT', `${file} is a folder: give the path of an LDIF file.`);
  return err;
}
