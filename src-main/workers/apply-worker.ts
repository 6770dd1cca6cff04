/**
 * The apply worker: runs a sync's apply transaction (src-main/sync/apply-job.ts) on its own SQLite
 * connection, so the main thread's event loop keeps turning while 100k users are written (~0.7 s
 * of CPU in one transaction). Started by startApply (src-main/sync/apply-in-worker.ts), one worker
 * per apply; it opens the store (already migrated by main) with the same pragmas as main.
 *
 * Messages from main: {@link ApplyWorkerInput} chunks (changes, users seen, users gone), then one
 * `run` with the job. The transaction starts only then. Messages to main: {@link ApplyWorkerMessage}.
 * After answering, the worker checkpoints the WAL (its apply deferred that, see
 * checkpointAfterTransaction), closes its connection and ends.
 *
 * A kill -9 of the process during the transaction leaves the store as it was: the WAL holds no
 * commit of it, and recovery marks the run interrupted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { openStoreConnection } from '../store/db';
import type { ApplyChange } from '../sync/apply';
import { runApplyJob, type ApplyInput, type ApplyJob } from '../sync/apply-job';
import type { SeenUser } from '../sync/planner';
import { ownWorkerData } from './start-worker';

/** What the worker is started with. */
export interface ApplyWorkerData {
  /** The store's file (main's connection has it open and migrated). */
  file: string;
}

/** Messages main posts: input chunks, then the job. */
export type ApplyWorkerInput =
  | { type: 'changes'; rows: ApplyChange[] }
  | { type: 'seen'; rows: SeenUser[] }
  | { type: 'gone'; ids: string[] }
  | { type: 'run'; job: ApplyJob };

/** The worker's answer. Errors cross as name, code and message and are rebuilt on main. */
export type ApplyWorkerMessage = { type: 'done' } | { type: 'failed'; name: string; code: string | null; message: string };

const port = parentPort!;
const { file } = ownWorkerData<ApplyWorkerData>(workerData);
const input: ApplyInput = { changes: [], seen: [], gone: [] };

// Opened at once, so the connection is ready when the job comes (main writes the plan rows meanwhile).
let db: Database.Database | null = null;
let openError: unknown = null;
try {
  db = openStoreConnection(file);
} catch (err) {
  openError = err;
}

function failed(err: unknown): ApplyWorkerMessage {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return { type: 'failed', name: e.name, code: typeof code === 'string' ? code : null, message: e.message };
}

function append<T>(to: T[], rows: readonly T[]): void {
  for (const r of rows) to.push(r);
}

port.on('message', (m: ApplyWorkerInput) => {
  if (m.type === 'changes') append(input.changes, m.rows);
  else if (m.type === 'seen') append(input.seen, m.rows);
  else if (m.type === 'gone') append(input.gone, m.ids);
  else if (m.type === 'run') {
    let answer: ApplyWorkerMessage;
    try {
      if (!db) throw openError;
      runApplyJob(db, m.job, input);
      answer = { type: 'done' };
    } catch (err) {
      answer = failed(err);
    }
    port.postMessage(answer);
    // After the checkpoint that applyChanges queued for the end of this task (a setImmediate too).
    setImmediate(() => {
      db?.close();
      port.close();
    });
  }
});
