import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src-main/store/db';
import { loadMigrations, migrationsDir } from '../../src-main/store/migration-files';
import { appliedMigrations, migrationChecksum, type Migration } from '../../src-main/store/migrate';
import { AppError } from '../../src-shared/errors';

let dir: string;
let file: string;
const open: Store[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-migrations-'));
  file = join(dir, 'nested', 'store.sqlite');
});

afterEach(() => {
  for (const store of open.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

function track(store: Store): Store {
  open.push(store);
  return store;
}

/** The error thrown by `fn`, which must throw. */
function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an error');
}

/** A private copy of the app's migration folder, so a test can edit a file. */
function copyOfMigrations(): string {
  const copy = join(dir, 'migrations');
  const source = migrationsDir();
  mkdirSync(copy);
  for (const { name } of loadMigrations(source)) copyFileSync(join(source, name), join(copy, name));
  return copy;
}

const good: Migration = { version: 1, name: '0001_things.sql', sql: 'CREATE TABLE things (id INTEGER PRIMARY KEY, label TEXT NOT NULL);' };

describe('store migrations', () => {
  it('a fresh store applies every migration and records its checksum', () => {
    const migrations = loadMigrations();
    const store = track(openStore(file));
    const applied = appliedMigrations(store.db);
    expect(applied.map((m) => m.version)).toEqual(migrations.map((m) => m.version));
    applied.forEach((record, i) => {
      expect(record.name).toBe(migrations[i].name);
      expect(record.sha256).toBe(migrationChecksum(migrations[i].sql));
      expect(record.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(Number.isNaN(Date.parse(record.appliedAt))).toBe(false);
    });
  });

  it('the first migration is the servers schema', () => {
    expect(loadMigrations()[0]).toMatchObject({ version: 1, name: '0001_servers.sql' });
  });

  it('reopening a store applies nothing new', () => {
    track(openStore(file)).close();
    const store = track(openStore(file));
    const before = appliedMigrations(store.db);
    store.close();
    const again = track(openStore(file));
    expect(appliedMigrations(again.db)).toEqual(before);
  });

  it('a store runs in WAL mode with foreign keys on and a busy timeout', () => {
    const store = track(openStore(file));
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('a new store gets an owner-only file in an owner-only folder', () => {
    if (process.platform === 'win32') return;
    track(openStore(file)).close();
    expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a store whose applied migration was edited is refused and left byte for byte unchanged', () => {
    const migrations = copyOfMigrations();
    track(openStore(file, { migrations: loadMigrations(migrations) })).close();
    const before = readFileSync(file);
    const first = join(migrations, '0001_servers.sql');
    writeFileSync(first, readFileSync(first, 'utf8') + '\nCREATE INDEX servers_url ON servers (url);\n');

    const error = thrown(() => openStore(file, { migrations: loadMigrations(migrations) }));
    expect(error.code).toBe('STORE_REFUSED');
    expect(error.message).toMatch(
      new RegExp(`^Migration 0001_servers\\.sql was changed after it was applied to ${escape(file)} \\(recorded sha256 [0-9a-f]{12}…, now [0-9a-f]{12}…\\)\\. Restore the original file or use a fresh store\\.$`),
    );
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a changed line ending alone does not count as an edit', () => {
    const migrations = copyOfMigrations();
    track(openStore(file, { migrations: loadMigrations(migrations) })).close();
    const first = join(migrations, '0001_servers.sql');
    writeFileSync(first, readFileSync(first, 'utf8').replace(/\n/g, '\r\n'));
    expect(() => track(openStore(file, { migrations: loadMigrations(migrations) }))).not.toThrow();
  });

  it('a store written by a newer app is refused with the versions in the message', () => {
    const store = track(openStore(file));
    const known = Math.max(...loadMigrations().map((m) => m.version));
    const future = known + 1;
    store.db.prepare(`INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (@future, '9999_future.sql', 'x', 'now')`).run({ future });
    store.close();
    const error = thrown(() => openStore(file));
    expect(error.code).toBe('STORE_REFUSED');
    expect(error.message).toBe(
      `This store was written by a newer LDAP Sync Studio (schema version ${future}; this app knows up to ${known}). Update the app or choose another store with --db.`,
    );
  });

  it('a failing migration rolls back, is not recorded and leaves the file unchanged', () => {
    track(openStore(file, { migrations: [good] })).close();
    const before = readFileSync(file);
    const broken: Migration = {
      version: 2,
      name: '0002_broken.sql',
      sql: `CREATE TABLE extra (id INTEGER PRIMARY KEY);
INSERT INTO things (label) VALUES ('half done');
ALTER TABLE no_such_table ADD COLUMN x TEXT;`,
    };
    const error = thrown(() => openStore(file, { migrations: [good, broken] }));
    expect(error.code).toBe('STORE_REFUSED');
    expect(error.message).toContain('Migration 0002_broken.sql could not be applied');
    expect(error.message).toContain('no such table: no_such_table');
    expect(error.message).toContain('rolled back and the store keeps schema version 1');
    expect(readFileSync(file).equals(before)).toBe(true);

    const store = track(openStore(file, { migrations: [good] }));
    expect(appliedMigrations(store.db).map((m) => m.version)).toEqual([1]);
    expect(store.db.prepare(`SELECT name FROM sqlite_master WHERE name = 'extra'`).get()).toBeUndefined();
    expect(store.db.prepare('SELECT count(*) AS n FROM things').get()).toEqual({ n: 0 });
  });

  it('the migrations before a failing one stay applied', () => {
    const second: Migration = { version: 2, name: '0002_more.sql', sql: 'ALTER TABLE things ADD COLUMN note TEXT;' };
    const broken: Migration = { version: 3, name: '0003_broken.sql', sql: 'THIS IS NOT SQL;' };
    expect(() => openStore(file, { migrations: [good, second, broken] })).toThrow(/0003_broken\.sql could not be applied/);
    const store = track(openStore(file, { migrations: [good, second] }));
    expect(appliedMigrations(store.db).map((m) => m.version)).toEqual([1, 2]);
  });

  it('a migration that leaves a dangling foreign key is rolled back', () => {
    const parent: Migration = {
      version: 1,
      name: '0001_parent.sql',
      sql: 'CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (parent_id INTEGER REFERENCES parent (id));',
    };
    const dangling: Migration = { version: 2, name: '0002_dangling.sql', sql: 'INSERT INTO child (parent_id) VALUES (42);' };
    expect(() => openStore(file, { migrations: [parent, dangling] })).toThrow(/foreign key violation/);
    const store = track(openStore(file, { migrations: [parent] }));
    expect(store.db.prepare('SELECT count(*) AS n FROM child').get()).toEqual({ n: 0 });
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('a read-only open of a migrated store works and writes nothing', () => {
    track(openStore(file)).close();
    const before = readFileSync(file);
    const store = track(openStore(file, { readonly: true }));
    expect(store.db.readonly).toBe(true);
    expect(store.db.prepare('SELECT count(*) AS n FROM servers').get()).toEqual({ n: 0 });
    store.close();
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a read-only open of a missing store is refused without creating it', () => {
    const error = thrown(() => openStore(file, { readonly: true }));
    expect(error.code).toBe('STORE_REFUSED');
    expect(error.message).toBe(`There is no store at ${file}.`);
    expect(existsSync(join(dir, 'nested'))).toBe(false);
  });

  it('a file that is not a database is refused with a message naming it', () => {
    const notADb = join(dir, 'notes.txt');
    writeFileSync(notADb, 'just some text, long enough to not look like an empty database file at all.\n'.repeat(20));
    const error = thrown(() => openStore(notADb));
    expect(error.code).toBe('STORE_REFUSED');
    expect(error.message).toContain(`${notADb} is not an LDAP Sync Studio store`);
  });

  it('migration files not named NNNN_name.sql are refused', () => {
    const migrations = copyOfMigrations();
    writeFileSync(join(migrations, 'add-users.sql'), 'SELECT 1;');
    expect(() => loadMigrations(migrations)).toThrow(/is not named NNNN_name\.sql/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
