import { accessSync, chmodSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors';
import { openDatabase } from '../native/sqlite-binding';
import { loadMigrations } from './migration-files';
import { backupBeforeUpgrade } from './integrity';
import { appliedMigrations, migrate, pendingMigrations, type Migration } from './migrate';

export { defaultStorePath, resolveStorePath } from './store-path';

/** An open store: the connection, its file and a close that may be called more than once. */
export interface Store {
  readonly db: Database.Database;
  readonly file: string;
  /** True when this process cannot write the store: it was opened read-only (see openStore). */
  readonly readOnly?: boolean;
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
/** Page size of a new store, bytes. */
const PAGE_SIZE = 16_384;
/** Page cache per connection, KiB. */
const CACHE_KIB = 16_384;

/**
 * Opens (creating if needed) the store at `file`: parent folder created with mode 0700, a new
 * file made owner-only (with 16 KiB pages), WAL journal, foreign keys on, busy timeout 5 s,
 * migrations applied.
 * Throws AppError('STORE_REFUSED') when the file cannot be used; nothing stays open then.
 */
export function openStore(file: string, opts: OpenStoreOptions = {}): Store {
  const readonly = opts.readonly ?? false;
  const inMemory = file === ':memory:';
  const isNew = !inMemory && !existsSync(file);
  if (readonly && isNew) throw new AppError('STORE_REFUSED', `There is no store at ${file}.`);
  if (!readonly && !inMemory) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });

  // A store this user cannot write (a read-only file, folder or file system) still serves the
  // commands and screens that only read it; a write then fails with a message naming the fix.
  if (!readonly && !isNew && !inMemory && !canWrite(file)) return openReadOnlyStore(file, opts.migrations ?? loadMigrations());

  const db = openOrRefuse(file, readonly);
  try {
    if (isNew && process.platform !== 'win32') chmodSync(file, 0o600);
    setConnectionPragmas(db, { isNew, readonly });
    const migrations = opts.migrations ?? loadMigrations();
    if (readonly) {
      const pending = pendingMigrations(db, migrations);
      if (pending.length > 0) {
        throw new AppError('STORE_REFUSED', `The store ${file} needs an upgrade (${pending.map((m) => m.name).join(', ')}); open it once for writing first.`);
      }
    } else {
      const pending = isNew || inMemory ? [] : pendingMigrations(db, migrations);
      // An upgrade of a store that holds data is preceded by a backup of it (owner-only, next to it).
      if (pending.length > 0 && appliedMigrations(db).length > 0) backupBeforeUpgrade(db, file, pending[0]!.version);
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

/** Whether this process may write the store file and create its -wal and -shm files next to it. */
function canWrite(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    accessSync(dirname(file), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens a store this process cannot write, read-only. SQLite cannot read a WAL store in a folder it
 * cannot write (it needs a -shm file there, SQLITE_READONLY_DIRECTORY), so then it reads a private
 * copy of the store (and its WAL) instead: a consistent view as of the moment it was opened.
 */
function openReadOnlyStore(file: string, migrations: readonly Migration[]): Store {
  let db: Database.Database;
  let copyDir: string | null = null;
  try {
    db = openDatabase(file, { readonly: true, fileMustExist: true });
    db.pragma('schema_version');
  } catch (error) {
    const code = String((error as { code?: unknown }).code ?? '');
    if (!/^SQLITE_(READONLY|CANTOPEN)/.test(code)) throw refusal(file, error);
    copyDir = mkdtempSync(join(tmpdir(), 'lss-readonly-store-'));
    try {
      const copy = join(copyDir, basename(file));
      copyFileSync(file, copy);
      if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
      db = openDatabase(copy, { readonly: true, fileMustExist: true });
    } catch (copyError) {
      rmSync(copyDir, { recursive: true, force: true });
      throw refusal(file, copyError);
    }
  }
  try {
    db.pragma('foreign_keys = ON');
    const pending = pendingMigrations(db, migrations);
    if (pending.length > 0) {
      throw new AppError('STORE_REFUSED', `The store ${file} cannot be written by this user and needs an upgrade (${pending.map((m) => m.name).join(', ')}); open it once as a user who can write it.`);
    }
  } catch (error) {
    db.close();
    if (copyDir) rmSync(copyDir, { recursive: true, force: true });
    throw refusal(file, error);
  }
  return {
    db,
    file,
    readOnly: true,
    close() {
      if (db.open) db.close();
      if (copyDir) rmSync(copyDir, { recursive: true, force: true });
    },
  };
}

/**
 * `PRAGMA journal_mode = WAL`, waiting for other connections as the busy timeout does. SQLite
 * answers SQLITE_BUSY at once, without its busy handler, while another process holds the new file
 * it is also creating or converting or writes in rollback mode (8 processes opening one new store
 * at once under load: 4 of 520 opens failed "database is locked"; test/integration/store-concurrency.test.ts).
 */
function enableWal(db: Database.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() + pause > deadline) throw error;
      // openStore is synchronous (the app's start, a CLI command): a short synchronous pause, as busy_timeout's.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
    }
  }
}

/** Sets a connection's pragmas: busy timeout, page size of a new file, WAL, synchronous, foreign keys, cache. */
function setConnectionPragmas(db: Database.Database, o: { isNew: boolean; readonly: boolean }): void {
  const { isNew, readonly } = o;
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // 16 KiB pages for a new store (SQLite's default: 4 KiB). A first sync of 100k users writes
  // ~85 MB in one transaction: with 4x fewer, larger pages its commit and checkpoint make 4x fewer
  // WAL frames and write calls, and its inserts split fewer pages (`npm run bench:apply`: apply +
  // plan rows + commit 1.32 -> 1.13 s of CPU, the checkpoint after it 150 -> 75 ms). The page size
  // is fixed when the file gets its first page (WAL mode cannot change it): an existing store
  // keeps its own.
  if (isNew && !readonly) db.pragma(`page_size = ${PAGE_SIZE}`);
  if (!readonly) enableWal(db);
  // In WAL mode NORMAL syncs the WAL at each checkpoint instead of at each commit (it is this
  // build's default in WAL mode; set here so it does not depend on the build). The store stays
  // consistent and keeps every commit through a crash or kill -9 of the process; only a power loss
  // or an OS crash may roll back the commits made since the last checkpoint (never a part of one).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // 16 MiB of page cache at most, used only as needed (SQLite's stock default, 2 MiB, makes a sync
  // of 100k users reread index pages). More is slower for a first sync: its pages are new, a larger
  // cache only holds more of them until they are written anyway, and each page first touched costs
  // a page fault and memory (bench:apply, 100k creates, 16 / 32 / 64 MiB: 1.14 / 1.21 / 1.36 s of
  // CPU, peak RSS 226 / 245 / 281 MB; the re-sync of 2,000 changes the same).
  db.pragma(`cache_size = -${CACHE_KIB}`);
}

/**
 * Opens one more connection to an existing, already migrated store (the apply worker's), with the
 * same pragmas as {@link openStore}; never migrates (the process that opened the store did).
 */
export function openStoreConnection(file: string): Database.Database {
  const db = openOrRefuse(file, false);
  try {
    setConnectionPragmas(db, { isNew: false, readonly: false });
  } catch (error) {
    db.close();
    throw refusal(file, error);
  }
  return db;
}

/** Connections whose checkpoint waits for the end of the current task, with their wal_autocheckpoint. */
const deferred = new WeakMap<Database.Database, number>();

/**
 * Lets the commit of the current transaction skip the WAL checkpoint (copying the committed pages
 * into the database file and syncing it: after a first sync of 100k users ~75 ms of CPU, 150 with
 * 4 KiB pages, and ~270 ms in all); a PASSIVE checkpoint runs instead once the current task is
 * done, so the run ends and reports without waiting for it. Call inside a transaction that writes
 * many pages.
 *
 * Safe with other processes on the store: a PASSIVE checkpoint is the one SQLite runs after a
 * commit, it waits for no one and copies only what no reader still needs; the setting changed is
 * this connection's own. If the process ends before the checkpoint, the WAL keeps every commit and
 * the next checkpoint (this or another connection's, or the last close) copies them.
 */
export function checkpointAfterTransaction(db: Database.Database): void {
  if (deferred.has(db)) return;
  const pages = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  deferred.set(db, pages);
  db.pragma('wal_autocheckpoint = 0');
  setImmediate(() => {
    deferred.delete(db);
    if (!db.open) return;
    try {
      db.pragma(`wal_autocheckpoint = ${pages}`);
      // A transaction still open (not one of ours: they are synchronous) checkpoints at its commit.
      if (!db.inTransaction && pages > 0) db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Only an optimisation: the next commit's automatic checkpoint does the same.
    }
  });
}

/**
 * Turns off this connection's automatic WAL checkpoints until the returned function is called (it
 * puts back the setting it found, unless someone changed it meanwhile). For writes that another
 * connection checkpoints soon after: a sync's plan rows, written by main just before the apply
 * worker's transaction, whose checkpoint then copies them too (one checkpoint and its two syncs
 * instead of one every 4 MiB on the main thread: 100k plan rows ~15% faster to write).
 */
export function pauseCheckpoints(db: Database.Database): () => void {
  const pages = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  if (pages === 0) return () => {};
  db.pragma('wal_autocheckpoint = 0');
  return () => {
    if (db.open && db.pragma('wal_autocheckpoint', { simple: true }) === 0) db.pragma(`wal_autocheckpoint = ${pages}`);
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
