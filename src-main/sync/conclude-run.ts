/**
 * The end of a run, once its plan is made: a plan that looks like an outage fails the run, a
 * simulation records its plan, a sync either waits for approval (hold policy) or is applied in one
 * transaction together with its run record, so a crash at any moment leaves the store as it was.
 */
import type Database from 'better-sqlite3';
import type { RunKind, RunSummary } from '../../src-shared/domain/sync';
import { AppError } from '../../src-shared/errors';
import { discardHeldRuns, finishRun, getRun, writeChanges } from '../store/runs-repo';
import { readSyncSettings } from '../store/settings-repo';
import { applyChanges } from './apply';
import { heldReason } from './hold-policy';
import type { Plan } from './planner';
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
}

/** Records the run's outcome; returns it. */
export function concludeRun(db: Database.Database, c: Conclusion): 'failed' | 'simulated' | 'held' | 'applied' {
  const { runId, plan, previous } = c;
  // Outage is not absence: an empty result where entries were found before changes nothing.
  if (plan.entries === 0 && ((previous?.entries ?? 0) > 0 || plan.managedBefore > 0)) {
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
  if (c.kind !== 'sync') {
    db.transaction(() => {
      writeChanges(db, runId, plan.changes);
      finishRun(db, runId, { status: 'simulated', ...end }, c.now());
    })();
    return 'simulated';
  }
  const serverId = c.serverId!;
  const held = heldReason(
    { deactivated: plan.counts.deactivated, managedBefore: plan.managedBefore, entries: plan.entries, lastEntries: c.lastSync?.entries ?? null },
    readSyncSettings(db).deactivationLimit,
  );
  if (held) {
    db.transaction(() => {
      // Kept with what applying needs: an approval applies exactly this plan later.
      writeChanges(db, runId, plan.changes, true);
      discardHeldRuns(db, serverId, runId);
      finishRun(db, runId, { status: 'held', heldReason: held, ...end }, c.now());
    })();
    return 'held';
  }
  c.onApplying?.();
  db.transaction(() => {
    applyChanges(db, { serverId, changes: plan.changes, seen: plan.seen, gone: plan.gone, lastSyncAt: c.lastSync?.startedAt ?? null, seenAt: getRun(db, runId).startedAt, now: c.now() });
    writeChanges(db, runId, plan.changes);
    finishRun(db, runId, { status: 'applied', ...end }, c.now());
  })();
  return 'applied';
}
