/** The messages between the main thread (sync/apply-in-worker.ts) and the apply worker (workers/apply-worker.ts). */
import type { ApplyChange } from './apply';
import type { ApplyJob, SyncApplyJob } from './apply-job';
import type { SeenUser } from './planner';

/** What the worker is started with. */
export interface ApplyWorkerData {
  /** The store's file (main's connection has it open and migrated). */
  file: string;
}

/** Messages main posts: a streamed sync (begin, chunks, commit) or one job run at once. */
export type ApplyWorkerInput =
  | { type: 'begin'; job: SyncApplyJob }
  | { type: 'changes'; rows: ApplyChange[] }
  | { type: 'seen'; rows: SeenUser[] }
  | { type: 'gone'; ids: string[] }
  | { type: 'commit'; finishedAt: string }
  | { type: 'run'; job: ApplyJob };

/** The worker's messages: `took` once per chunk written (main keeps few chunks in flight), then its answer. Errors cross as name, code and message and are rebuilt on main. */
export type ApplyWorkerMessage = { type: 'took' } | { type: 'done' } | { type: 'failed'; name: string; code: string | null; message: string };
