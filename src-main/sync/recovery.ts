/**
 * Crash recovery: a run whose process died (kill -9, power loss) changed nothing (its plan is
 * applied in one transaction with its record), so it is marked interrupted, the plan rows it wrote
 * before its end are dropped, and its lock is freed. This happens when the service starts and
 * whenever someone looks at the overview.
 */
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { lockHolder, processAlive, recoverInterruptedRuns } from '../store/runs-repo';

/** Marks every run left running by a dead process interrupted; returns how many. */
export function recoverAtStart(db: Database.Database, now: Date): number {
  return recoverInterruptedRuns(db, now);
}

/**
 * The cheap check for a look at the overview: recovers only when the lock is held by a process of
 * this machine that no longer runs (a lock of another machine is left to that machine).
 */
export function recoverStaleLock(db: Database.Database, now: Date): number {
  const holder = lockHolder(db);
  if (!holder || holder.host !== hostname() || processAlive(holder.pid)) return 0;
  return recoverInterruptedRuns(db, now);
}
