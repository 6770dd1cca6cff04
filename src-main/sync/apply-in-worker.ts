/**
 * Runs an apply transaction (src-main/sync/apply-job.ts) in the apply worker, on its own SQLite
 * connection, so the main thread is not blocked for the ~0.7 s a first sync of 100k users takes
 * to write. The job is still one transaction: it commits everything or nothing.
 *
 * While the worker's transaction runs, the main connection waits for no lock: its busy timeout is 0
 * (a busy timeout is a synchronous wait that would freeze the window for up to 5 s), so a write made
 * meanwhile on main (an admin deactivating a user...) fails at once with SQLITE_BUSY, which the IPC
 * router and the CLI report as BUSY "the store is busy... try again in a moment". Reads go on as
 * usual (WAL: readers see the store as it was until the commit). The sync lock keeps other runs away.
 *
 * Once the job is sent, the apply completes or fails; it is not cancelled (a cancel stops a run
 * only up to its apply, as before).
 */
import type Database from 'better-sqlite3';
import { AppError, ERROR_CODES, type ErrorCode } from '../../src-shared/errors';
import type { ApplyWorkerInput, ApplyWorkerMessage } from './apply-protocol';
import { setBusyTimeout } from '../store/open-transaction';
import { startWorker } from '../threads/start-worker';
import type { ApplyChange } from './apply';
import { runApplyJob, type ApplyJob } from './apply-job';
import type { SeenUser } from './planner';

/** Input items posted per message: a few ms of structured clone each, with a turn of the event loop between them. */
const POST_CHUNK = 2000;
/** Chunks posted to the worker and not yet written by it. */
const MAX_CHUNKS_IN_FLIGHT = 2;

/** What a sync's apply writes besides its run record; only the parts applying needs are sent. */
export interface ApplySource {
  changes: readonly ApplyChange[];
  seen: readonly SeenUser[];
  gone: readonly string[];
}

/** An apply started ahead of its job (the worker loads and checks the store while main reads, plans and writes the plan rows). */
export interface PendingApply {
  /**
   * Sends `source` in chunks (`breathe` awaited between them), then runs `job`. Resolves once it
   * has committed; rejects, having changed nothing, when it failed. A sync's run is recorded as
   * finished at `now()` once its last chunk is sent (default: the job's time).
   */
  run(job: ApplyJob, source: ApplySource, breathe: () => Promise<void>, now?: () => Date): Promise<void>;
  /** Stops the worker when the job will not be run (a cancel or an error before the apply). */
  cancel(): void;
}

const NO_SOURCE: ApplySource = { changes: [], seen: [], gone: [] };

/** Runs `job` (an approval: it reads its stored plan) in the apply worker; see {@link PendingApply.run}. */
export function applyInWorker(db: Database.Database, job: ApplyJob, breathe: () => Promise<void> = async () => {}): Promise<void> {
  return startApply(db).run(job, NO_SOURCE, breathe);
}

/**
 * Starts the apply worker for store connection `db`. An in-memory store cannot be opened by another
 * connection: its job runs in-process, on `db`, the same transaction.
 */
export function startApply(db: Database.Database): PendingApply {
  if (db.memory) {
    return {
      async run(job, source) {
        runApplyJob(db, job, { changes: applicable(source.changes), seen: source.seen.filter((s) => s.changed), gone: [...source.gone] });
      },
      cancel() {},
    };
  }
  const worker = startWorker('apply-worker', { workerData: { file: db.name } });
  let settled = false;
  // Chunks posted and not yet written: at most MAX_CHUNKS_IN_FLIGHT, so a large plan is never
  // copied whole into the worker's message queue (memory), whatever the worker's pace.
  let inFlight = 0;
  let wake: (() => void) | null = null;
  let answered = false;
  const answer = new Promise<ApplyWorkerMessage>((resolve, reject) => {
    worker.on('message', (m: ApplyWorkerMessage) => {
      if (m.type !== 'took') {
        answered = true;
        return resolve(m);
      }
      inFlight--;
      wake?.();
      wake = null;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`The apply worker stopped (exit code ${code}) before it answered. Nothing was changed.`)));
  });
  // A cancelled apply's rejection is nobody's business.
  answer.catch(() => {});
  const post = (m: ApplyWorkerInput) => worker.postMessage(m);
  /** Posts a chunk once there is room for it (a worker that dies meanwhile rejects through `answer`). */
  const postChunk = async (m: ApplyWorkerInput) => {
    while (inFlight >= MAX_CHUNKS_IN_FLIGHT) {
      if (answered) throw new Error('The apply worker answered before the whole plan was sent. Nothing was changed.');
      await Promise.race([new Promise<void>((r) => (wake = r)), answer]);
    }
    inFlight++;
    post(m);
  };
  const cancel = () => {
    if (!settled) void worker.terminate();
    settled = true;
  };
  return {
    async run(job, source, breathe, now) {
      const restoreBusyTimeout = setBusyTimeout(db, 0);
      try {
        if (job.kind === 'sync') {
          // Streamed: the worker writes each chunk as it comes, inside the transaction `begin` opened.
          post({ type: 'begin', job });
          const changes = applicable(source.changes);
          for (let i = 0; i < changes.length; i += POST_CHUNK) {
            await postChunk({ type: 'changes', rows: changes.slice(i, i + POST_CHUNK) });
            await breathe();
          }
          const seen = source.seen.filter((s) => s.changed);
          for (let i = 0; i < seen.length; i += POST_CHUNK) {
            await postChunk({ type: 'seen', rows: seen.slice(i, i + POST_CHUNK) });
            await breathe();
          }
          for (let i = 0; i < source.gone.length; i += POST_CHUNK * 5) post({ type: 'gone', ids: source.gone.slice(i, i + POST_CHUNK * 5) });
          post({ type: 'commit', finishedAt: now ? now().toISOString() : job.now });
        } else {
          post({ type: 'run', job });
        }
        const m = await answer;
        settled = true;
        if (m.type === 'failed') throw rebuilt(m);
      } catch (err) {
        // Not answered (main failed while posting): the worker's open transaction ends with it.
        cancel();
        throw err;
      } finally {
        restoreBusyTimeout();
        // It checkpoints and ends by itself; it must not keep a CLI process alive meanwhile.
        worker.unref();
      }
    },
    cancel,
  };
}

/** The changes that write something, with only what applying them reads. */
function applicable(changes: readonly ApplyChange[]): ApplyChange[] {
  const out: ApplyChange[] = [];
  for (const c of changes) if (c.data && c.userId) out.push({ userId: c.userId, data: c.data });
  return out;
}

/** The worker's error as main throws it: an AppError again, or an Error with SQLite's code (SQLITE_CONSTRAINT_FOREIGNKEY...). */
function rebuilt(m: Extract<ApplyWorkerMessage, { type: 'failed' }>): Error {
  if (m.name === 'AppError' && m.code && (ERROR_CODES as readonly string[]).includes(m.code)) return new AppError(m.code as ErrorCode, m.message);
  const e = new Error(m.message) as Error & { code?: string };
  e.name = m.name;
  if (m.code) e.code = m.code;
  return e;
}
