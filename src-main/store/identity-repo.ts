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
