/**
 * Identity writes an admin makes after a reused username held an account back (see
 * sync/plan/reused-username.ts): relinking the user to whichever directory entry now has their
 * username (the same person), or releasing the username (someone else) so a sync can create a new
 * user for the new entry.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors';
import { nameKey } from './name-key';
import { reusedUsersOfRun } from './plan-rows-repo';
import { prepared } from './statement-cache';

export { reusedUsersOfRun };

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

/** {@link forgetDirectoryId} for every user of a run's reused usernames, in one transaction: how many were relinked. Users deleted since are skipped. */
export function relinkReusedOfRun(db: Database.Database, runId: string, now: Date = new Date()): number {
  const users = reusedUsersOfRun(db, runId);
  const at = now.toISOString();
  const forget = prepared(db, `UPDATE users SET directory_id = NULL, updated_at = @at WHERE id = @id AND directory_id IS NOT NULL`);
  return db.transaction(() => users.reduce((n, u) => n + forget.run({ id: u.userId, at }).changes, 0))();
}

/**
 * Frees the username of a deactivated user (the old account of a reused username, when the new
 * entry is someone else): the account is renamed `NAME~released-YYYY-MM-DD` (`-2`, `-3`... if taken)
 * and keeps everything else, so the next sync creates a new user for the entry with that name.
 * Refuses an active user (CONFLICT): they still sign in with that name. Gives the new username.
 */
export function releaseUsername(db: Database.Database, id: string, now: Date = new Date()): string {
  const row = prepared(db, `SELECT username, active FROM users WHERE id = @id`).get({ id }) as { username: string; active: number } | undefined;
  if (!row) throw new AppError('NOT_FOUND', 'This user no longer exists.');
  if (row.active === 1) {
    throw new AppError('CONFLICT', `"${row.username}" is active and signs in with that name. Release the username of a deactivated account only (a sync deactivates the old account of a reused username), or deactivate it first.`);
  }
  const taken = prepared(db, `SELECT 1 FROM users WHERE username_key = @k`);
  const base = `${row.username}~released-${now.toISOString().slice(0, 10)}`;
  let name = base;
  for (let n = 2; taken.get({ k: nameKey(name) }); n++) name = `${base}-${n}`;
  prepared(db, `UPDATE users SET username = @name, username_key = @key, updated_at = @at WHERE id = @id`).run({ id, name, key: nameKey(name), at: now.toISOString() });
  return name;
}
