import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../../src-main/store/db';
import { appliedMigrations } from '../../src-main/store/migrate';
import { loadMigrations } from '../../src-main/store/migration-files';
import { upgradeBackups } from '../../src-main/store/integrity';
import { openDatabase } from '../../src-main/native/sqlite-binding';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-concurrency-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `script` in a separate Node process through tsx (as the CLI runs); resolves with its exit code and output. */
function runProcess(script: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [TSX, script, ...args], { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => done({ code, output }));
  });
}

/** Six processes: a failure 1 open in ~100 under load (journal_mode = WAL answered "database is locked") showed in one CI run in several. */
const PROCESSES = [1, 2, 3, 4, 5, 6];

/**
 * Runs `script FILE N BARRIER` in one process per `ids`, released together once all have started;
 * resolves with each one's outcome: 'ok', or its error line (not its stack: vitest would try to source-map it).
 */
async function startTogether(script: string, file: string, ids: number[]): Promise<string[]> {
  const barrier = join(dir, 'barrier');
  const processes = ids.map((n) => runProcess(script, [file, String(n), barrier]));
  await waitFor(() => ids.every((n) => existsSync(`${barrier}.ready-${n}`)));
  writeFileSync(`${barrier}.go`, '');
  const results = await Promise.all(processes);
  return results.map((r) => (r.code === 0 ? 'ok' : (r.output.split('\n').find((line) => /^\w*Error\b/.test(line)) ?? `exit ${r.code}`)));
}

/**
 * Writes a script for {@link startTogether}: `openStore` and `imports`, then `body`, run once every
 * process has started (each announces readiness, then waits for the go signal); `file` and `n` are its arguments.
 */
function togetherScript(name: string, imports: string, body: string): string {
  const script = join(dir, name);
  const db = pathToFileURL(join(ROOT, 'src-main', 'store', 'db.ts')).href;
  writeFileSync(
    script,
    `import { existsSync, writeFileSync } from 'node:fs';
import { openStore } from '${db}';
${imports}
const [file, n, barrier] = process.argv.slice(2);
writeFileSync(barrier + '.ready-' + n, '');
while (!existsSync(barrier + '.go')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
${body}
`,
  );
  return script;
}

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the store processes did not start');
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('several processes opening the same new store at once all succeed and apply each migration once', async () => {
  const file = join(dir, 'shared', 'store.sqlite');
  const repo = pathToFileURL(join(ROOT, 'src-main', 'store', 'servers-repo.ts')).href;
  const script = togetherScript(
    'open-store.ts',
    `import { insertServer } from '${repo}';`,
    `const store = openStore(file);
const now = new Date().toISOString();
insertServer(store.db, { id: 'id-' + n, name: 'Server ' + n, url: 'ldap://h', startTls: false, bindAnonymously: true, bindDn: '',
  searchFilter: '(uid=?)', timeoutSeconds: 30, mapping: { email: 'mail', firstName: 'givenName', lastName: 'sn' },
  scripts: { active: 'function(entry) { return true; }', orgName: null, roleName: null }, createUsers: false, defaultOrgId: null, offline: false, snapshotId: null, scriptTests: [], passwordRef: null, passwordClearedAt: null, lastTest: null, createdAt: now, updatedAt: now });
store.close();`,
  );

  expect(await startTogether(script, file, PROCESSES)).toEqual(PROCESSES.map(() => 'ok'));

  const store = openStore(file);
  try {
    expect(appliedMigrations(store.db).map((m) => m.version)).toEqual(loadMigrations().map((m) => m.version));
    expect(store.db.prepare('SELECT count(*) AS n FROM servers').get()).toEqual({ n: PROCESSES.length });
  } finally {
    store.close();
  }
});

it('several processes opening an old store at once all upgrade it, each migration applied once, each with a backup of it as it was', async () => {
  const file = join(dir, 'old', 'store.sqlite');
  const all = loadMigrations();
  const old = openStore(file, { migrations: all.slice(0, 3) });
  old.db.prepare(`INSERT INTO servers (id, name, name_key, url, start_tls, bind_anonymously, bind_dn, search_filter, timeout_seconds, created_at, updated_at)
    VALUES ('s1', 'Kept', 'kept', 'ldap://h', 0, 1, '', '(uid=?)', 30, 'x', 'x')`).run();
  old.close();
  const script = togetherScript('upgrade-store.ts', '', 'openStore(file).close();');
  // Each one saw the store before the upgrade and wanted the same backup name: none may fail for it.
  expect(await startTogether(script, file, PROCESSES)).toEqual(PROCESSES.map(() => 'ok'));

  const store = openStore(file);
  try {
    expect(appliedMigrations(store.db).map((m) => m.version)).toEqual(all.map((m) => m.version));
    expect(store.db.prepare(`SELECT name FROM servers`).all()).toEqual([{ name: 'Kept' }]);
  } finally {
    store.close();
  }
  // One backup per process that saw the store before the upgrade; the one made by the process that
  // migrated first holds the store as it was (the others may be taken mid-upgrade). All keep its data.
  const backups = upgradeBackups(file);
  expect(backups.length).toBeGreaterThanOrEqual(1);
  expect(backups).toContain(`${file}.before-v${all[3].version}.bak`);
  const versions = backups.map((b) => {
    const backup = openDatabase(b, { readonly: true, fileMustExist: true });
    try {
      expect(backup.prepare('SELECT name FROM servers').all()).toEqual([{ name: 'Kept' }]);
      return (backup.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
    } finally {
      backup.close();
    }
  });
  expect(versions).toContainEqual(all.slice(0, 3).map((m) => m.version));
});

it('waits for a process writing to a store not yet in WAL mode, where SQLite refuses the switch at once ("database is locked")', async () => {
  const file = join(dir, 'rollback', 'store.sqlite');
  mkdirSync(dirname(file));
  const held = join(dir, 'held');
  const script = join(dir, 'hold-write-lock.ts');
  const binding = pathToFileURL(join(ROOT, 'src-main', 'native', 'sqlite-binding.ts')).href;
  // A write transaction in rollback mode (RESERVED): the switch to WAL needs the file to itself, and
  // SQLite answers BUSY without waiting (waiting could deadlock); it lets go after 400 ms.
  writeFileSync(
    script,
    `import { writeFileSync } from 'node:fs';
import { openDatabase } from '${binding}';
const [file, held] = process.argv.slice(2);
const db = openDatabase(file, {});
db.exec('CREATE TABLE other (a)');
db.exec('BEGIN IMMEDIATE');
db.prepare('INSERT INTO other VALUES (1)').run();
writeFileSync(held, '');
setTimeout(() => { db.exec('COMMIT'); db.close(); }, 400);
`,
  );
  const holder = runProcess(script, [file, held]);
  await waitFor(() => existsSync(held));
  const store = openStore(file);
  try {
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(appliedMigrations(store.db).map((m) => m.version)).toEqual(loadMigrations().map((m) => m.version));
    expect(store.db.prepare('SELECT a FROM other').all()).toEqual([{ a: 1 }]);
  } finally {
    store.close();
  }
  expect((await holder).code).toBe(0);
});
