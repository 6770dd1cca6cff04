/**
 * The apply transaction as a job: what the apply worker (src-main/workers/apply-worker.ts) runs on
 * its own connection, and what runs in-process for a store that no other connection can open (an
 * in-memory one). Either a sync's plan or the approval of a held plan; each is one transaction in
 * which every user change and the run's final record commit together, or nothing does.
 */
import type Database from 'better-sqlite3';
import type { SyncCounts } from '../../src-shared/domain/sync';
import { finishRun, getRun, setRunStatus } from '../store/runs-repo';
import { copyChanges, countChanges, recordChangeCounts, storedApplyChanges, type ChangeCounts } from '../store/plan-rows-repo';
import { managedCounts } from '../store/users-repo';
import { applyChanges, type ApplyChange, type ApplyContext } from './apply';
import type { SeenUser } from './planner';

/** Applying a sync's plan: its plan rows are already stored (without apply data); the changes come with the job. */
export interface SyncApplyJob {
  kind: 'sync';
  runId: string;
  serverId: string;
  /** When the last applied sync started (users it saw and this one did not were last seen then). */
  lastSyncAt: string | null;
  /** The run's record once applied (status 'applied' is added). */
  end: { entries: number; managedBefore: number; managedAfter: number; activeAfter: number; counts: SyncCounts };
  /** ISO time of the apply. */
  now: string;
  /** The run's plan rows (written before the apply) counted by action, recorded with its end (absent: none recorded; the plan view counts the rows). */
  rowCounts?: ChangeCounts;
}

/** Approving held run `heldRunId`: its stored plan (with apply data) is applied as run `runId`, already started. */
export interface ApproveApplyJob {
  kind: 'approve';
  heldRunId: string;
  runId: string;
  serverId: string;
  held: { entries: number | null; managedBefore: number | null; counts: SyncCounts };
  now: string;
}

/** One apply transaction. */
export type ApplyJob = SyncApplyJob | ApproveApplyJob;

/** What a sync's apply writes besides its run record (empty for an approval, which reads its stored plan). */
export interface ApplyInput {
  changes: ApplyChange[];
  /** Only the users whose directory facts changed matter (see applyChanges). */
  seen: SeenUser[];
  gone: string[];
}

/** How a sync job's changes are written (its run's start is when the users were seen). Call inside its transaction. */
export function syncApplyContext(db: Database.Database, job: Pick<SyncApplyJob, 'serverId' | 'lastSyncAt' | 'runId' | 'now'>): ApplyContext {
  return { serverId: job.serverId, lastSyncAt: job.lastSyncAt, seenAt: getRun(db, job.runId).startedAt, now: new Date(job.now) };
}

/** Records a sync job's run as applied at `finishedAt` (default: the job's time), with its plan row counts, and frees the lock. Call last inside its transaction. */
export function finishSyncApply(db: Database.Database, job: SyncApplyJob, finishedAt: string = job.now): void {
  if (job.rowCounts) recordChangeCounts(db, job.runId, job.rowCounts);
  finishRun(db, job.runId, { status: 'applied', ...job.end }, new Date(finishedAt));
}

/** Runs `job` in one transaction on `db`. Throws (having changed nothing) when any write fails. */
export function runApplyJob(db: Database.Database, job: ApplyJob, input: ApplyInput): void {
  const now = new Date(job.now);
  if (job.kind === 'sync') {
    db.transaction(() => {
      applyChanges(db, { ...syncApplyContext(db, job), changes: input.changes, seen: input.seen, gone: input.gone });
      finishSyncApply(db, job);
    })();
    return;
  }
  db.transaction(() => {
    const changes = storedApplyChanges(db, job.heldRunId);
    applyChanges(db, { serverId: job.serverId, changes, seen: [], now });
    // The approved run shows the same plan: its rows copied inside SQLite, not read and written again.
    copyChanges(db, job.heldRunId, job.runId);
    recordChangeCounts(db, job.runId, countChanges(changes));
    const after = managedCounts(db, job.serverId);
    finishRun(db, job.runId, { status: 'applied', entries: job.held.entries, managedBefore: job.held.managedBefore, managedAfter: after.managed, activeAfter: after.active, counts: job.held.counts }, now);
    setRunStatus(db, job.heldRunId, 'approved', job.runId);
  })();
}
