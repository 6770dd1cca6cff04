/**
 * A sync's apply worker, started when the run starts instead of once its plan is made: the worker's
 * start-up (module load, its own SQLite connection) and the store check it runs first (PRAGMA
 * quick_check: ~140 ms of CPU on a store of 100k users) then overlap the directory read instead of
 * delaying the apply. A large simulation's, which writes its plan rows, starts during its read. The
 * worker writes nothing until the apply's job comes; a run that ends without applying (a held plan,
 * a failure, a cancel) stops it.
 */
import type Database from 'better-sqlite3';
import { startApply, type PendingApply } from './apply-in-worker';

/** Applies started ahead, by run id, until their run takes them or ends. */
const ahead = new Map<string, PendingApply>();
/** Runs whose applies {@link withApplyAhead} stops when they end (whether started then or later). */
const owned = new Set<string>();

/**
 * Runs `run` (a whole run, plan and apply) with the apply worker of run `runId` started first when
 * `now` (a sync: its store check overlaps the read); a simulation may start one later with
 * {@link startApplyAhead}. A worker `run` has not taken ({@link takeApply}) is stopped when it ends.
 */
export async function withApplyAhead<T>(db: Database.Database, runId: string, now: boolean, run: () => Promise<T>): Promise<T> {
  if (owned.has(runId)) return run();
  owned.add(runId);
  if (now) ahead.set(runId, startApply(db));
  try {
    return await run();
  } finally {
    owned.delete(runId);
    ahead.get(runId)?.cancel();
    ahead.delete(runId);
  }
}

/**
 * Starts run `runId`'s apply worker now, if none is (a large simulation, once its read has passed
 * the size from which its plan rows are written by the worker: the worker is ready when planning
 * starts). Only within {@link withApplyAhead}, which stops it if the run does not take it.
 */
export function startApplyAhead(db: Database.Database, runId: string, o: { check?: boolean } = {}): void {
  if (!owned.has(runId) || ahead.has(runId) || db.memory) return;
  ahead.set(runId, startApply(db, o));
}

/** The apply of run `runId`: the one started ahead for it (handed over: the caller runs or cancels it), or a new one. */
export function takeApply(db: Database.Database, runId: string, o: { check?: boolean } = {}): PendingApply {
  const started = ahead.get(runId);
  if (!started) return startApply(db, o);
  ahead.delete(runId);
  return started;
}
