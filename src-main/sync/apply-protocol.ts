/** The messages between the main thread (sync/apply-in-worker.ts) and the apply worker (workers/apply-worker.ts). */
import type { ApplyChange } from './apply';
import type { ApplyJob, SyncApplyJob } from './apply-job';
import type { SeenUser } from './planner';
import type { ChangeCounts } from '../store/plan-rows-repo';
import type { PackedChanges } from './change-pack';

/** A sync streamed while its plan is made: its end (and its rows' counts) come with the commit. */
export type StreamedSyncJob = Omit<SyncApplyJob, 'end' | 'rowCounts'>;

/** What the worker is started with. */
export interface ApplyWorkerData {
  /** The store's file (main's connection has it open and migrated). */
  file: string;
}

/**
 * Messages main posts: a streamed sync (begin, chunks, commit) or one job run at once. A sync whose
 * plan rows main has written sends `changes` (what applying needs); one streamed while its plan is
 * made sends `rows` instead (the worker writes them as plan rows too), its end with the commit, and
 * may be rolled back (a held plan).
 */
export type ApplyWorkerInput =
  | { type: 'begin'; job: SyncApplyJob | StreamedSyncJob }
  | { type: 'changes'; rows: ApplyChange[] }
  | { type: 'rows'; packed: PackedChanges }
  | { type: 'seen'; rows: SeenUser[] }
  | { type: 'gone'; ids: string[] }
  | { type: 'commit'; finishedAt: string; end?: SyncApplyJob['end']; rowCounts?: ChangeCounts }
  | { type: 'rollback' }
  | { type: 'run'; job: ApplyJob };

/** The worker's messages: `took` once per chunk written (main keeps few chunks in flight), then its answer. Errors cross as name, code and message and are rebuilt on main. */
export type ApplyWorkerMessage = { type: 'took' } | { type: 'done' } | { type: 'failed'; name: string; code: string | null; message: string };
