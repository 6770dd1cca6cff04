/**
 * The apply worker: runs an apply transaction on its own SQLite connection, so the main thread's
 * event loop keeps turning while 100k users are written (~0.7 s of CPU in one transaction).
 * Started by startApply (src-main/sync/apply-in-worker.ts), one worker per apply; it opens the
 * store (already migrated by main) with the same pragmas as main.
 *
 * A sync's apply is streamed: `begin` opens the transaction (BEGIN IMMEDIATE), each input chunk
 * (changes, then users seen, then users gone) is written as it arrives and let go, and `commit`
 * records the run as applied and commits. So the worker never holds the whole plan, and writing
 * overlaps main's posting. After the first failure the transaction is rolled back and later chunks
 * are ignored; `commit` then answers with that failure. An approval is one `run` message (its plan
 * is read from the store). Answers: {@link ApplyWorkerMessage}. After answering, the worker
 * checkpoints the WAL (deferred from the commit, see checkpointAfterTransaction), closes its
 * connection and ends. Before any write it checks the store's pages (PRAGMA quick_check, at start,
 * overlapping the directory read: a sync starts its worker with the run, see apply-ahead.ts): a
 * damaged store fails the apply with STORE_DAMAGED, nothing written.
 *
 * A kill -9 of the process during the transaction leaves the store as it was: the WAL holds no
 * commit of it, and recovery marks the run interrupted.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { checkpointAfterTransaction, openStoreConnection } from '../store/db';
import { checkStore, storeDamaged } from '../store/integrity';
import { beginWrite, commitWrite, rollbackWrite } from '../store/open-transaction';
import { planApplier } from '../sync/apply';
import { finishSyncApply, runApplyJob, syncApplyContext, type SyncApplyJob } from '../sync/apply-job';
import { changeRangeWriter } from '../store/plan-rows-repo';
import { unpackChanges } from '../sync/change-pack';
import { ownWorkerData } from '../threads/start-worker';
import type { ApplyWorkerData, ApplyWorkerInput, ApplyWorkerMessage, StreamedSyncJob } from '../sync/apply-protocol';

const port = parentPort!;
const { file } = ownWorkerData<ApplyWorkerData>(workerData);

// The store check runs while main, the read worker and the directory need the CPU (main is the
// window's process in the app): this thread yields to them, so it never stretches main's turns. On
// Linux a thread has a nice value of its own (elsewhere setPriority would lower the whole process,
// so it is left alone there). It is not raised back (an unprivileged process cannot), which costs
// the apply nothing: by then the read is over and main waits for it.
if (process.platform === 'linux') {
  try {
    setPriority(0, 10);
  } catch {
    // Not allowed here (a sandbox): the check competes as before.
  }
}

// Opened at once, so the connection is ready when the job comes (main reads and plans meanwhile).
let db: Database.Database | null = null;
let openError: unknown = null;
try {
  db = openStoreConnection(file);
} catch (err) {
  openError = err;
}
// No apply writes to a damaged store (damage elsewhere in the file would otherwise surface later,
// as lost rows). Checked at start, while main still reads and plans; the job's message waits in the queue.
const integrity = db ? checkStore(db, 'quick') : null;
// The check read every page of the store through this connection's cache (up to 16 MiB): given back
// while the run reads the directory, the apply fills it again.
if (db) db.pragma('shrink_memory');
/** Throws when the store cannot be written: not opened, or damaged. */
function writable(): Database.Database {
  if (!db) throw openError;
  if (integrity && !integrity.ok) throw storeDamaged(file, integrity);
  return db;
}

/**
 * The streamed sync in progress: its job, its writers (of user changes; of plan rows, for one
 * streamed while its plan is made), and its first failure (the transaction is then rolled back).
 */
let open: { job: SyncApplyJob | StreamedSyncJob; apply: ReturnType<typeof planApplier> | null; rows: ReturnType<typeof changeRangeWriter> | null; error: unknown } | null = null;

function failed(err: unknown): ApplyWorkerMessage {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return { type: 'failed', name: e.name, code: typeof code === 'string' ? code : null, message: e.message };
}

/** Runs one step of the open transaction; the first failure rolls it back. */
function step(fn: (apply: ReturnType<typeof planApplier>, conn: Database.Database) => void): void {
  if (!open || open.error !== null || !open.apply || !db) return;
  try {
    fn(open.apply, db);
  } catch (err) {
    open.error = err;
    rollbackWrite(db);
  }
}

/** Answers main, then checkpoints (queued by checkpointAfterTransaction for the end of this task), closes and ends. */
function answer(m: ApplyWorkerMessage): void {
  port.postMessage(m);
  setImmediate(() => {
    db?.close();
    port.close();
  });
}

port.on('message', (m: ApplyWorkerInput) => {
  switch (m.type) {
    case 'begin':
      open = { job: m.job, apply: null, rows: null, error: null };
      try {
        beginWrite(writable());
        open.apply = planApplier(db!, syncApplyContext(db!, m.job));
      } catch (err) {
        open.error = err;
        if (db) rollbackWrite(db);
      }
      break;
    case 'changes':
      step((apply) => apply.changes(m.rows));
      port.postMessage({ type: 'took' } satisfies ApplyWorkerMessage);
      break;
    case 'rows':
      // Plan rows (without apply data: a plan applied now needs none kept) and what they change.
      step((apply, conn) => {
        const rows = unpackChanges(m.packed);
        open!.rows ??= changeRangeWriter(conn, open!.job.runId);
        open!.rows(rows, 0, rows.length, false);
        apply.changes(rows);
      });
      port.postMessage({ type: 'took' } satisfies ApplyWorkerMessage);
      break;
    case 'seen':
      step((apply) => apply.seen(m.rows));
      port.postMessage({ type: 'took' } satisfies ApplyWorkerMessage);
      break;
    case 'gone':
      step((apply) => apply.gone(m.ids));
      break;
    case 'commit':
      step((_, conn) => {
        const job = open!.job;
        const end = m.end ?? ('end' in job ? job.end : undefined);
        if (!end) throw new Error('The apply worker got commit without the run\'s end.');
        finishSyncApply(conn, { ...job, end, rowCounts: m.rowCounts ?? ('rowCounts' in job ? job.rowCounts : undefined) }, m.finishedAt);
        checkpointAfterTransaction(conn);
        commitWrite(conn);
      });
      answer(open && open.error === null ? { type: 'done' } : failed(open?.error ?? new Error('The apply worker got commit without begin.')));
      break;
    case 'rollback':
      // A plan streamed while it was made that is not applied after all (held, or the run stopped).
      if (open && open.error === null && db?.inTransaction) rollbackWrite(db);
      open = null;
      answer({ type: 'done' });
      break;
    case 'run':
      try {
        runApplyJob(writable(), m.job, { changes: [], seen: [], gone: [] });
        answer({ type: 'done' });
      } catch (err) {
        answer(failed(err));
      }
      break;
  }
});
