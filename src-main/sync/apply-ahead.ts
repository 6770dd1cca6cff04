/**
 * A sync's apply worker, started when the run starts instead of once its plan is made: the worker's
 * start-up (module load, its own SQLite connection) and the store check it runs first (PRAGMA
 * quick_check: ~140 ms of CPU on a store of 100k users) then overlap the directory read instead of
 * delaying the apply. The worker writes nothing until the apply's job comes; a run that ends
 * without applying (a simulation's path, a held plan, a failure, a cancel) stops it.
 */
import type Database from 'better-sqlite3';
import { startApply, type PendingApply } from './apply-in-worker';

/** Applies started ahead, by run id, until their run takes them or ends. */
const ahead = new Map<string, PendingApply>();

/**
 * Runs `run` (a whole run, plan and apply) with the apply worker of run `runId` started first;
 * `runId` null (a simulation) starts nothing. The worker is stopped when `run` ends without having
 * taken it ({@link takeApply}).
 */
export async function withApplyAhead<T>(db: Database.Database, runId: string | null, run: () => Promise<T>): Promise<T> {
  if (runId === null || ahead.has(runId)) return run();
  ahead.set(runId, startApply(db));
  try {
    return await run();
  } finally {
    ahead.get(runId)?.cancel();
    ahead.delete(runId);
  }
}

/** The apply of run `runId`: the one started ahead for it (handed over: the caller runs or cancels it), or a new one. */
export function takeApply(db: Database.Database, runId: string): PendingApply {
  const started = ahead.get(runId);
  if (!started) return startApply(db);
  ahead.delete(runId);
  return started;
}
