import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors';

/** One schema change: the `NNNN` of its file name, the file name and its SQL text. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** A row of `schema_migrations`. */
export interface AppliedMigration {
  version: number;
  name: string;
  sha256: string;
  appliedAt: string;
}

/** The checksum recorded for a migration: SHA-256 of its text with line endings normalised to LF. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

/** The migrations recorded in `db`, oldest first; empty for a database without the table. */
export function appliedMigrations(db: Database.Database): AppliedMigration[] {
  const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
  if (!table) return [];
  return db
    .prepare(`SELECT version, name, sha256, applied_at AS appliedAt FROM schema_migrations ORDER BY version`)
    .all() as AppliedMigration[];
}

/**
 * The migrations of `migrations` not yet applied to `db`, after checking that every applied one
 * is known and unchanged. Throws AppError('STORE_REFUSED') when the store was written by a newer
 * app or an applied migration file was edited. Writes nothing.
 */
export function pendingMigrations(db: Database.Database, migrations: readonly Migration[]): Migration[] {
  const applied = appliedMigrations(db);
  const known = new Map(migrations.map((m) => [m.version, m]));
  const maxKnown = Math.max(0, ...migrations.map((m) => m.version));
  const maxApplied = Math.max(0, ...applied.map((m) => m.version));
  if (maxApplied > maxKnown) {
    throw new AppError(
      'STORE_REFUSED',
      `This store was written by a newer LDAP Sync Studio (schema version ${maxApplied}; this app knows up to ${maxKnown}). Update the app or choose another store with --db.`,
    );
  }
  for (const record of applied) {
    const migration = known.get(record.version);
    if (!migration) {
      throw new AppError(
        'STORE_REFUSED',
        `This store has schema version ${record.version} (${record.name}) applied, which this LDAP Sync Studio does not know. Use the app that wrote it or choose another store with --db.`,
      );
    }
    assertUnchanged(db, migration, record.sha256);
  }
  const done = new Set(applied.map((m) => m.version));
  return migrations.filter((m) => !done.has(m.version));
}

/**
 * Brings `db` up to date: verifies the applied migrations (see {@link pendingMigrations}), then
 * applies each pending one in its own transaction together with its `schema_migrations` record.
 * A failing migration is rolled back and reported as AppError('STORE_REFUSED').
 * Foreign keys are off while migrating (so table rebuilds do not cascade) and each migration must
 * leave `PRAGMA foreign_key_check` clean. Returns the versions applied.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], now: () => string = () => new Date().toISOString()): number[] {
  const pending = pendingMigrations(db, migrations);
  if (pending.length === 0) return [];
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`);
    const applied: number[] = [];
    for (const migration of pending) {
      if (applyOne(db, migration, now)) applied.push(migration.version);
    }
    return applied;
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}

/** Applies one migration unless another process recorded it meanwhile; true when applied here. */
function applyOne(db: Database.Database, migration: Migration, now: () => string): boolean {
  const sha256 = migrationChecksum(migration.sql);
  const recorded = db.prepare(`SELECT sha256 FROM schema_migrations WHERE version = @version`);
  const record = db.prepare(`INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (@version, @name, @sha256, @appliedAt)`);
  const run = db.transaction((): boolean => {
    const existing = recorded.get({ version: migration.version }) as { sha256: string } | undefined;
    if (existing) {
      assertUnchanged(db, migration, existing.sha256);
      return false;
    }
    db.exec(migration.sql);
    const violations = db.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) throw new Error(`it leaves ${violations.length} foreign key violation(s)`);
    record.run({ version: migration.version, name: migration.name, sha256, appliedAt: now() });
    return true;
  });
  try {
    // IMMEDIATE: a second process opening the same store waits (busy_timeout) instead of racing.
    return run.immediate();
  } catch (error) {
    if (error instanceof AppError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError(
      'STORE_REFUSED',
      `Migration ${migration.name} could not be applied to ${db.name} (${reason}); it was rolled back and the store keeps schema version ${currentVersion(db)}.`,
    );
  }
}

function assertUnchanged(db: Database.Database, migration: Migration, recordedSha256: string): void {
  const sha256 = migrationChecksum(migration.sql);
  if (sha256 === recordedSha256) return;
  throw new AppError(
    'STORE_REFUSED',
    `Migration ${migration.name} was changed after it was applied to ${db.name} (recorded sha256 ${recordedSha256.slice(0, 12)}…, now ${sha256.slice(0, 12)}…). Restore the original file or use a fresh store.`,
  );
}

function currentVersion(db: Database.Database): number {
  return Math.max(0, ...appliedMigrations(db).map((m) => m.version));
}
