import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors';
import { openDatabase } from '../native/sqlite-binding';
import { loadMigrations } from './migration-files';
import { migrate, pendingMigrations, type Migration } from './migrate';

export { defaultStorePath, resolveStorePath } from './store-path';

/** An open store: the connection, its file and a close that may be called more than once. */
export interface Store {
  readonly db: Database.Database;
  readonly file: string;
  close(): void;
}

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** Open without writing: the store must exist and be fully migrated. */
  readonly?: boolean;
  /** The migrations to apply; default: the app's `migrations/*.sql`. */
  migrations?: readonly Migration[];
}

/** How long a connection waits for another process's write lock, in milliseconds. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the store at `file`: parent folder created with mode 0700, a new
 * file made owner-only, WAL journal, foreign keys on, busy timeout 5 s, migrations applied.
 * Throws AppError('STORE_REFUSED') when the file cannot be used; nothing stays open then.
 */
export function openStore(file: string, opts: OpenStoreOptions = {}): Store {
  const readonly = opts.readonly ?? false;
  const inMemory = file === ':memory:';
  const isNew = !inMemory && !existsSync(file);
  if (readonly && isNew) throw new AppError('STORE_REFUSED', `There is no store at ${file}.`);
  if (!readonly && !inMemory) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });

  const db = openOrRefuse(file, readonly);
  try {
    if (isNew && process.platform !== 'win32') chmodSync(file, 0o600);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // Up to 64 MiB of page cache (used only as needed): a sync of 100k users touches random pages of
    // the user indexes, and the 2 MiB default makes it re-read them from disk over and over.
    db.pragma('cache_size = -65536');
    const migrations = opts.migrations ?? loadMigrations();
    if (readonly) {
      const pending = pendingMigrations(db, migrations);
      if (pending.length > 0) {
        throw new AppError('STORE_REFUSED', `The store ${file} needs an upgrade (${pending.map((m) => m.name).join(', ')}); open it once for writing first.`);
      }
    } else {
      migrate(db, migrations);
    }
  } catch (error) {
    db.close();
    throw refusal(file, error);
  }
  return {
    db,
    file,
    close() {
      if (db.open) db.close();
    },
  };
}

function openOrRefuse(file: string, readonly: boolean): Database.Database {
  try {
    return openDatabase(file, { readonly, fileMustExist: readonly });
  } catch (error) {
    throw refusal(file, error);
  }
}

/** Turns a SQLite error (not a database, locked, unreadable…) into a message naming the file. */
function refusal(file: string, error: unknown): unknown {
  if (error instanceof AppError || !(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  if (code === 'SQLITE_NOTADB') return new AppError('STORE_REFUSED', `${file} is not an LDAP Sync Studio store (${error.message}). Choose another file with --db.`);
  return new AppError('STORE_REFUSED', `The store ${file} cannot be opened (${error.message}).`);
}
