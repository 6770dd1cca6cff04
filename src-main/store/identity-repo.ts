/**
 * Identity writes an admin makes: relinking a user to whichever directory entry now has their
 * username (after a reused username held the account back: see sync/plan/reused-username.ts).
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors';
import { prepared } from './statement-cache';

/**
 * Forgets the directory ID stored on user `id`, so the next sync matches them by username and
 * stores the ID of the entry that has it then (and reactivates them if a sync deactivated them).
 * False when the user had none. Throws NOT_FOUND for an unknown user.
 */
export function forgetDirectoryId(db: Database.Database, id: string, now: Date = new Date()): boolean {
  const row = prepared(db, `SELECT directory_id AS directoryId FROM users WHERE id = @id`).get({ id }) as { directoryId: string | null } | undefined;
  if (!row) throw new AppError('NOT_FOUND', 'This user no longer exists.');
  if (row.directoryId === null) return false;
  return prepared(db, `UPDATE users SET directory_id = NULL, updated_at = @at WHERE id = @id AND directory_id IS NOT NULL`).run({ id, at: now.toISOString() }).changes === 1;
}

/** The users of a run's reused-username changes (by plan order), with the usernames the plan shows. */
export function reusedUsersOfRun(db: Database.Database, runId: string): { userId: string; username: string | null }[] {
  return prepared(db, `SELECT user_id AS userId, username FROM sync_changes WHERE run_id = @runId AND action = 'reused' AND user_id IS NOT NULL ORDER BY seq`).all({ runId }) as {
    userId: string;
    username: string | null;
  }[];
}

/** {@link forgetDirectoryId} for every user of a run's reused usernames, in one transaction: how many were relinked. Users deleted since are skipped. */
export function relinkReusedOfRun(db: Database.Database, runId: string, now: Date = new Date()): number {
  const users = reusedUsersOfRun(db, runId);
  const at = now.toISOString();
  const forget = prepared(db, `UPDATE users SET directory_id = NULL, updated_at = @at WHERE id = @id AND directory_id IS NOT NULL`);
  return db.transaction(() => users.reduce((n, u) => n + forget.run({ id: u.userId, at }).changes, 0))();
}
