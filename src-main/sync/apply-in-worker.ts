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
import type { ApplyWorkerInput, ApplyWorkerMessage, StreamedSyncJob } from './apply-protocol';
import type { ChangeCounts, StoredChange } from '../store/plan-rows-repo';
import { setBusyTimeout } from '../store/open-transaction';
import { startWorker } from '../threads/start-worker';
import type { ApplyChange } from './apply';
import { runApplyJob, type ApplyJob, type SyncApplyJob } from './apply-job';
import { packChanges } from './change-pack';
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
  /**
   * Starts applying a sync while its plan is made (null for an in-memory store: then {@link run}
   * after the plan). The worker's transaction, opened now, holds the store's write lock until it
   * commits or rolls back.
   */
  stream(job: StreamedSyncJob): ApplyStream | null;
}

/**
 * A sync applied while its plan is made: the worker writes each chunk of changes as plan rows and
 * applies it, in the one transaction that commits with the run's record, so nothing of it shows
 * (neither rows nor users) unless all of it commits. The planner only appends changes, so a chunk
 * sent is final.
 */
export interface ApplyStream {
  /** Sends the changes not sent yet once a chunk's worth wait (all of them when `all`). */
  send(changes: readonly StoredChange[], all: boolean): Promise<void>;
  /** Sends the users seen and gone, then commits with the run's end. Resolves once committed; rejects, having changed nothing, when it failed. */
  commit(end: SyncApplyJob['end'], rowCounts: ChangeCounts, source: Pick<ApplySource, 'seen' | 'gone'>, breathe: () => Promise<void>, now: () => Date): Promise<void>;
  /** Rolls back everything sent (a held plan); resolves once the worker has let go of the store. */
  abandon(): Promise<void>;
  /** Stops the worker (a cancel, an error on main); resolves once it has let go of the store. */
  stop(): Promise<void>;
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
      stream: () => null,
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
  /** Stops the worker; resolves once it has (its open transaction, if any, is then rolled back). */
  const stop = async () => {
    const wasSettled = settled;
    settled = true;
    if (!wasSettled) await worker.terminate();
  };
  const cancel = () => void stop();
  /** The worker's answer to the end of a stream; a failure rebuilt as main throws it. */
  const settleAnswer = async () => {
    const m = await answer;
    settled = true;
    if (m.type === 'failed') throw rebuilt(m);
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
    stream(job) {
      const restoreBusyTimeout = setBusyTimeout(db, 0);
      post({ type: 'begin', job });
      let sent = 0;
      let ended = false;
      const end = async (last: () => Promise<void>) => {
        if (ended) return;
        ended = true;
        try {
          await last();
        } catch (err) {
          await stop();
          throw err;
        } finally {
          restoreBusyTimeout();
          worker.unref();
        }
      };
      return {
        async send(changes, all) {
          while (!ended && (changes.length - sent >= POST_CHUNK || (all && sent < changes.length))) {
            const to = Math.min(changes.length, sent + POST_CHUNK);
            await postChunk({ type: 'rows', packed: packChanges(changes, sent, to) });
            sent = to;
          }
        },
        commit: (endOfRun, rowCounts, source, breathe, now) =>
          end(async () => {
            const seen = source.seen.filter((s) => s.changed);
            for (let i = 0; i < seen.length; i += POST_CHUNK) {
              await postChunk({ type: 'seen', rows: seen.slice(i, i + POST_CHUNK) });
              await breathe();
            }
            for (let i = 0; i < source.gone.length; i += POST_CHUNK * 5) post({ type: 'gone', ids: source.gone.slice(i, i + POST_CHUNK * 5) });
            post({ type: 'commit', finishedAt: now().toISOString(), end: endOfRun, rowCounts });
            await settleAnswer();
          }),
        abandon: () =>
          end(async () => {
            // Rolled back once it answers: the write lock is free for main (the held plan's rows).
            post({ type: 'rollback' });
            await settleAnswer();
          }),
        stop: () => end(stop),
      };
    },
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
