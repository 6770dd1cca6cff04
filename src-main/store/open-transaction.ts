/**
 * A write transaction held open across several steps (the apply worker writes a streamed plan in
 * chunks, then commits), for the rare place where better-sqlite3's synchronous `db.transaction(fn)`
 * cannot wrap the whole work; and the main connection's busy timeout while another connection
 * writes. Kept here so that no SQL text leaves the store.
 */
import type Database from 'better-sqlite3';

/** Takes the write lock at once (BEGIN IMMEDIATE): a second writer waits or fails now, not at commit. */
export function beginWrite(db: Database.Database): void {
  db.exec('BEGIN IMMEDIATE');
}

/** Commits the open transaction. */
export function commitWrite(db: Database.Database): void {
  db.exec('COMMIT');
}

/** Rolls back the open transaction, if any (after a failed step). */
export function rollbackWrite(db: Database.Database): void {
  if (db.inTransaction) db.exec('ROLLBACK');
}

/**
 * Sets the connection's busy timeout to `ms` and returns a function that restores the previous
 * one (0 makes a write fail at once with SQLITE_BUSY while another connection holds the lock).
 */
export function setBusyTimeout(db: Database.Database, ms: number): () => void {
  const previous = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(ms))}`);
  return () => {
    if (db.open) db.pragma(`busy_timeout = ${previous}`);
  };
}
