/** How a run that cannot finish is recorded: failed (or cancelled), with the reason, nothing changed. */
import type Database from 'better-sqlite3';
import { AppError, type ErrorInfo } from '../../src-shared/errors';
import { finishRun } from '../store/runs-repo';

/**
 * Ends run `runId` as cancelled (AppError CANCELLED) or failed. An unexpected error becomes
 * INTERNAL; every failure message says that nothing was changed.
 */
export function endRunFailed(db: Database.Database, runId: string, err: unknown, now: Date, extra: { entries?: number | null; managedBefore?: number | null } = {}): void {
  const info: ErrorInfo =
    err instanceof AppError ? { code: err.code, message: err.message }
    : { code: 'INTERNAL', message: `The run stopped on an unexpected error: ${err instanceof Error ? err.message : String(err)}. Nothing was changed.` };
  const status = info.code === 'CANCELLED' ? 'cancelled' : 'failed';
  if (status === 'failed' && !/nothing was changed/i.test(info.message)) info.message = `${info.message} Nothing was changed.`;
  db.transaction(() => finishRun(db, runId, { status, error: info, ...extra }, now))();
}
