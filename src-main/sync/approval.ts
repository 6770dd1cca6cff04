/**
 * Approval of held plans: an admin applies exactly the plan that was held (as a new run, linked to
 * it), or discards it. A plan is stale once another sync of its server was applied after it.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { RunSummary, RunTrigger } from '../../src-shared/domain/sync';
import { AppError } from '../../src-shared/errors';
import { appliedAfter, getRun, setRunStatus, startRun } from '../store/runs-repo';
import { getServer } from '../store/servers-repo';
import { applyInWorker } from './apply-in-worker';
import { endRunFailed } from './run-failure';

/** What approving needs besides the store. */
export interface ApproveOptions {
  trigger: RunTrigger;
  runId?: string;
  signal?: AbortSignal;
  now: () => Date;
}

/**
 * Applies exactly the plan of held run `heldRunId` as a new run and marks the held one approved,
 * in one transaction (run by the apply worker, src-main/sync/apply-in-worker.ts). Rejects with CONFLICT (not held), NOT_FOUND (server gone), STALE_PLAN (a newer
 * sync was applied), CANCELLED, or BUSY (another run holds the store). A failure while applying
 * is recorded on the new run (resolved, not thrown). Once the apply has begun, a cancel no longer stops it.
 */
export async function approveHeldPlan(db: Database.Database, heldRunId: string, opts: ApproveOptions): Promise<RunSummary> {
  const held = getRun(db, heldRunId);
  if (held.status !== 'held') throw new AppError('CONFLICT', `Run ${heldRunId} is ${held.status}, not held: only a held plan can be approved.`);
  const serverId = held.serverId;
  if (!serverId || !getServer(db, serverId)) throw new AppError('NOT_FOUND', 'The server of this plan no longer exists.');
  const later = appliedAfter(db, serverId, held.startedAt);
  if (later) {
    throw new AppError('STALE_PLAN', `The directory was synchronized after this plan was made (run ${later.id} at ${later.startedAt}), so it is out of date. Synchronize again for a fresh plan.`);
  }
  if (opts.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled by the admin. Nothing was changed.');
  const runId = opts.runId ?? randomUUID();
  startRun(db, { id: runId, serverId, serverName: held.serverName, kind: 'sync', trigger: opts.trigger, relatedRunId: heldRunId }, opts.now());
  try {
    const job = { kind: 'approve', heldRunId, runId, serverId, held: { entries: held.entries, managedBefore: held.managedBefore, counts: held.counts }, now: opts.now().toISOString() } as const;
    await applyInWorker(db, job);
  } catch (err) {
    endRunFailed(db, runId, err, opts.now());
  }
  return getRun(db, runId);
}

/** Drops held plan `runId`. Throws CONFLICT when it is not held. */
export function discardHeldPlan(db: Database.Database, runId: string): RunSummary {
  const run = getRun(db, runId);
  if (run.status !== 'held') throw new AppError('CONFLICT', `Run ${runId} is ${run.status}, not held: only a held plan can be discarded.`);
  setRunStatus(db, runId, 'discarded', null);
  return getRun(db, runId);
}
