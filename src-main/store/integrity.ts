/**
 * The store's integrity: SQLite's own page and index checks, run before every apply (in the apply
 * worker, off the main thread) and by `ldap-sync store check`, and consistent backups.
 *
 * A store with damaged pages opens and even syncs while the damage sits in pages the sync does not
 * touch (history, other servers' users); it shows later, as lost rows or a failing query. So no
 * apply writes to a store that fails the check, and the message says how to recover.
 */
import { closeSync, existsSync, openSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors';
import { openDatabase } from '../native/sqlite-binding';

/** What a check found. */
export interface StoreCheck {
  ok: boolean;
  /** 'quick': page structure, freelist, record formats (O(N), no index cross-check); 'full': also every index against its table and every foreign key. */
  depth: 'quick' | 'full';
  /** SQLite's own descriptions of the damage, at most 100. */
  problems: string[];
}

const MAX_PROBLEMS = 100;

/** Checks the store open on `db` (read-only: it writes nothing). */
export function checkStore(db: Database.Database, depth: 'quick' | 'full' = 'quick'): StoreCheck {
  const problems: string[] = [];
  try {
    const rows = db.pragma(depth === 'full' ? `integrity_check(${MAX_PROBLEMS})` : `quick_check(${MAX_PROBLEMS})`) as Record<string, string>[];
    for (const row of rows) {
      const text = String(Object.values(row)[0]);
      if (text !== 'ok') problems.push(text);
    }
    if (depth === 'full' && problems.length === 0) {
      const broken = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
      for (const b of broken.slice(0, MAX_PROBLEMS)) problems.push(`row ${b.rowid} of ${b.table} points to a missing row of ${b.parent}`);
    }
  } catch (err) {
    // Damage can be bad enough that the check itself cannot walk the file (SQLITE_CORRUPT, NOTADB).
    problems.push(err instanceof Error ? err.message : String(err));
  }
  return { ok: problems.length === 0, depth, problems };
}

/** The error an apply (or any write) gives on a damaged store: what, that nothing changed, and how to recover. */
export function storeDamaged(file: string, check: StoreCheck): AppError {
  const more = check.problems.length > 1 ? ` and ${check.problems.length - 1} more problem(s)` : '';
  return new AppError(
    'STORE_DAMAGED',
    `The store ${file} is damaged (${check.problems[0]}${more}), so nothing was written to it. ` +
      `Run "ldap-sync store check" for the details. To recover, restore a backup (one is made before each upgrade of the store: ` +
      `${file}.before-v<N>.bak; "ldap-sync store backup FILE" makes one any time), or start a fresh store and run ` +
      `"ldap-sync config apply" with your config file.`,
  );
}

/**
 * Writes a consistent copy of the open store to `target` (VACUUM INTO: a snapshot of the last
 * commit, compacted), owner-only like the store. Refuses an existing target.
 */
export function backupStore(db: Database.Database, target: string): void {
  let fd: number;
  try {
    // Created empty and owner-only first: VACUUM INTO accepts an empty file and keeps its mode.
    fd = openSync(target, 'wx', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError('INVALID_INPUT', code === 'EEXIST'
      ? `${target} already exists: choose a new file name for the backup.`
      : `The backup file ${target} cannot be created (${(err as Error).message}).`);
  }
  closeSync(fd);
  try {
    db.prepare('VACUUM INTO ?').run(target);
  } catch (err) {
    rmSync(target, { force: true });
    throw err;
  }
}

/** Opens the store file read-only (no migration, so an old or damaged store can be checked too) and checks it. */
export function checkStoreFile(file: string, depth: 'quick' | 'full'): StoreCheck {
  if (!existsSync(file)) throw new AppError('NOT_FOUND', `There is no store at ${file}. Give the store with --db FILE.`);
  let db: Database.Database;
  try {
    db = openDatabase(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return { ok: false, depth, problems: [err instanceof Error ? err.message : String(err)] };
  }
  try {
    return checkStore(db, depth);
  } finally {
    db.close();
  }
}

/** Writes a backup of the store file (read-only open, no migration); see {@link backupStore}. */
export function backupStoreFile(file: string, target: string): void {
  if (!existsSync(file)) throw new AppError('NOT_FOUND', `There is no store at ${file}. Give the store with --db FILE.`);
  const db = openDatabase(file, { readonly: true, fileMustExist: true });
  try {
    backupStore(db, target);
  } finally {
    db.close();
  }
}

/** The name of the backup made before upgrading `file` to schema version `version`; a second one gets a time stamp. */
export function upgradeBackupName(file: string, version: number, now: Date = new Date()): string {
  const plain = `${file}.before-v${version}.bak`;
  return existsSync(plain) ? `${file}.before-v${version}-${now.toISOString().replace(/[:.]/g, '-')}.bak` : plain;
}

/**
 * Backs the store up before upgrading it to `version` (see {@link upgradeBackupName}); returns the
 * backup's file. Several processes opening an old store together each make one: a name another
 * process took meanwhile (between the look and the write) moves on to the next free one, so no
 * process fails to open the store for it.
 */
export function backupBeforeUpgrade(db: Database.Database, file: string, version: number, now: () => Date = () => new Date()): string {
  for (let attempt = 1; ; attempt++) {
    const name = upgradeBackupName(file, version, now());
    const target = attempt === 1 || !existsSync(name) ? name : name.replace(/\.bak$/, `-${attempt}.bak`);
    try {
      backupStore(db, target);
      return target;
    } catch (err) {
      // Taken by another process since the look: the next name (a store's own error is thrown).
      if (!(err instanceof AppError && err.code === 'INVALID_INPUT' && existsSync(target)) || attempt >= 20) throw err;
    }
  }
}

/** The upgrade backups that exist next to `file`, oldest name first. */
export function upgradeBackups(file: string): string[] {
  const prefix = `${basename(file)}.before-v`;
  try {
    return readdirSync(dirname(file)).filter((f) => f.startsWith(prefix) && f.endsWith('.bak')).sort().map((f) => join(dirname(file), f));
  } catch {
    return [];
  }
}
