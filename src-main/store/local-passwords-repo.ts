import type Database from 'better-sqlite3';
import { prepared } from './statement-cache';

/**
 * Local passwords, as their stored hash text (never the password: hashing happens in
 * src-main/auth/password-hash.ts before anything reaches the store).
 */

/** The stored hash of a user's local password, or null when none was set. */
export function localPasswordHash(db: Database.Database, userId: string): string | null {
  const r = prepared(db, `SELECT hash FROM local_passwords WHERE user_id = @userId`).get({ userId }) as { hash: string } | undefined;
  return r?.hash ?? null;
}

/** Sets (or replaces) a user's local password hash. */
export function setLocalPasswordHash(db: Database.Database, userId: string, hash: string, now: Date = new Date()): void {
  prepared(
    db,
    `INSERT INTO local_passwords (user_id, hash, updated_at) VALUES (@userId, @hash, @at)
    ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`,
  ).run({ userId, hash, at: now.toISOString() });
}

/** How many users of an organization have a local password set. */
export function localPasswordCount(db: Database.Database, orgId: string): number {
  return (prepared(db, `SELECT COUNT(*) AS n FROM local_passwords p JOIN users u ON u.id = p.user_id WHERE u.org_id = @orgId`).get({ orgId }) as { n: number }).n;
}
