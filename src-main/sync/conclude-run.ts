/**
 * The end of a run, once its plan is made: a plan that looks like an outage fails the run, a
 * simulation records its plan, a sync either waits for approval (hold policy) or is applied in one
 * transaction together with its run record, so a crash at any moment leaves the store as it was.
 *
 * A sync of a store on disk is applied while its plan is made (ApplyStream, apply-in-worker.ts):
 * the apply worker writes each chunk of changes as plan rows and applies it, in the transaction
 * that commits here with the run's record, or is rolled back here when the plan is held (its rows
 * are then written again, with what applying needs) or the run fails. Otherwise (a simulation, a
 * held plan, an in-memory store) the plan rows are written here, in chunks with turns given to the
 * event loop between them, while the run is still 'running'; the run record is finished last, for a
 * sync in the apply worker's transaction. A run that ends any other way drops its rows (here on an
 * error or a cancel, in recovery when its process died), so a run never shows a partial plan once
 * it has ended, and the store's users change only in the one apply transaction.
 */
import type Database from 'better-sqlite3';
import type { RunKind, RunSummary } from '../../src-shared/domain/sync';
import { AppError } from '../../src-shared/errors';
import { pauseCheckpoints } from '../store/db';
import { discardHeldRuns, finishRun, getRun } from '../store/runs-repo';
import { countChanges, deleteChanges, recordChangeCounts, writeChangesInTurns } from '../store/plan-rows-repo';
import { readSyncSettings } from '../store/settings-repo';
import { takeApply } from './apply-ahead';
import type { ApplyStream } from './apply-in-worker';
import { heldReason } from './hold-policy';
import { Pacer, type Plan } from './planner';
import { endRunFailed } from './run-failure';

/** The run a plan belongs to, and what the decision compares it with. */
export interface Conclusion {
  runId: string;
  kind: RunKind;
  serverId: string | null;
  plan: Plan;
  /** The server's newest run that read entries (for the empty-result check). */
  previous: RunSummary | null;
  /** The server's newest applied sync that read entries (the hold policy's reference; its start is when users were last seen). */
  lastSync: RunSummary | null;
  now: () => Date;
  /** Called just before a plan is applied. */
  onApplying?: () => void;
  /** Gives the event loop its turns while the plan rows are written (default: a new Pacer). */
  pacer?: Pacer;
  /** A cancel stops the run up to its apply (the apply itself is one transaction). */
  signal?: AbortSignal;
  /**
   * A sync's apply that ran while the plan was made (ApplyStream, apply-in-worker.ts): the worker has written
   * every change as plan rows and applied it, uncommitted. It commits with the run's record, or is
   * rolled back (a held plan, an empty result) and the run concludes as without it.
   */
  stream?: ApplyStream | null;
}

/**
 * Records the run's outcome; returns it. Throws (with the run's plan rows dropped and the run left
 * to the caller to end as failed) on a store error or a cancel before the apply.
 */
export async function concludeRun(db: Database.Database, c: Conclusion): Promise<'failed' | 'simulated' | 'held' | 'applied'> {
  try {
    return await conclude(db, c);
  } catch (err) {
    // Nothing of the run remains but its record, which the caller ends as failed or cancelled.
    await c.stream?.stop();
    deleteChanges(db, c.runId);
    throw err;
  }
}

async function conclude(db: Database.Database, c: Conclusion): Promise<'failed' | 'simulated' | 'held' | 'applied'> {
  const { runId, plan, previous } = c;
  // Outage is not absence: an empty result where entries were found before changes nothing.
  if (plan.entries === 0 && ((previous?.entries ?? 0) > 0 || plan.managedBefore > 0)) {
    await c.stream?.abandon();
    const before = (previous?.entries ?? 0) > 0 ? `it returned ${previous!.entries} entries at ${previous!.startedAt}` : `${plan.managedBefore} users are managed by this server`;
    endRunFailed(
      db,
      runId,
      new AppError('EMPTY_RESULT', `The search returned no entries although ${before}. Treated as a directory problem: nothing was changed. Check the search base, the filter and the bind account's read rights.`),
      c.now(),
      { entries: 0, managedBefore: plan.managedBefore },
    );
    return 'failed';
  }
  const end = { entries: plan.entries, managedBefore: plan.managedBefore, managedAfter: plan.managedAfter, activeAfter: plan.activeAfter, counts: plan.counts };
  const pacer = c.pacer ?? new Pacer();
  const breathe = async () => {
    await pacer.breathe();
    if (c.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled by the admin. Nothing was changed.');
  };
  if (c.kind !== 'sync') {
    await c.stream?.abandon();
    await writeChangesInTurns(db, runId, plan.changes, false, breathe);
    db.transaction(() => {
      recordChangeCounts(db, runId, countChanges(plan.changes));
      finishRun(db, runId, { status: 'simulated', ...end }, c.now());
    })();
    return 'simulated';
  }
  const serverId = c.serverId!;
  const held = heldReason(
    { deactivated: plan.counts.deactivated, reused: plan.reusedDeactivated, managedBefore: plan.managedBefore, entries: plan.entries, lastEntries: c.lastSync?.entries ?? null },
    readSyncSettings(db).deactivationLimit,
  );
  if (held) {
    // Kept with what applying needs: an approval applies exactly this plan later.
    await c.stream?.abandon();
    await writeChangesInTurns(db, runId, plan.changes, true, breathe);
    db.transaction(() => {
      discardHeldRuns(db, serverId, runId);
      recordChangeCounts(db, runId, countChanges(plan.changes));
      finishRun(db, runId, { status: 'held', heldReason: held, ...end }, c.now());
    })();
    return 'held';
  }
  if (c.stream) {
    // Written and applied while the plan was made: what is left is the users seen and gone, and the commit.
    c.onApplying?.();
    await c.stream.commit(end, countChanges(plan.changes), { seen: plan.seen, gone: plan.gone }, () => pacer.breathe(), c.now);
    return 'applied';
  }
  // Started when the run started (see apply-ahead.ts), or now: it loads while the plan rows are written.
  const apply = takeApply(db, runId);
  // The plan rows are checkpointed with the apply's pages, by the worker after its commit.
  const resumeCheckpoints = pauseCheckpoints(db);
  try {
    try {
      await writeChangesInTurns(db, runId, plan.changes, false, breathe);
    } catch (err) {
      apply.cancel();
      throw err;
    }
    c.onApplying?.();
    // One transaction, in the apply worker: every user change and the run's 'applied' record, or
    // nothing. From here on a cancel no longer stops the run: it is applied or fails.
    await apply.run(
      { kind: 'sync', runId, serverId, lastSyncAt: c.lastSync?.startedAt ?? null, end, now: c.now().toISOString(), rowCounts: countChanges(plan.changes) },
      { changes: plan.changes, seen: plan.seen, gone: plan.gone },
      () => pacer.breathe(),
      c.now,
    );
  } finally {
    resumeCheckpoints();
  }
  return 'applied';
}
