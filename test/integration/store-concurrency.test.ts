import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../../src-main/store/db';
import { appliedMigrations } from '../../src-main/store/migrate';
import { loadMigrations } from '../../src-main/store/migration-files';

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

it('several processes opening the same new store at once all succeed and apply each migration once', async () => {
  const file = join(dir, 'shared', 'store.sqlite');
  const script = join(dir, 'open-store.ts');
  const db = pathToFileURL(join(ROOT, 'src-main', 'store', 'db.ts')).href;
  const repo = pathToFileURL(join(ROOT, 'src-main', 'store', 'servers-repo.ts')).href;
  writeFileSync(
    script,
    `import { openStore } from '${db}';
import { insertServer } from '${repo}';
const [file, n] = process.argv.slice(2);
const store = openStore(file);
const now = new Date().toISOString();
insertServer(store.db, { id: 'id-' + n, name: 'Server ' + n, url: 'ldap://h', startTls: false, bindAnonymously: true, bindDn: '',
  searchFilter: '(uid=?)', timeoutSeconds: 30, passwordRef: null, passwordClearedAt: null, lastTest: null, createdAt: now, updatedAt: now });
store.close();
`,
  );

  const results = await Promise.all([1, 2, 3, 4].map((n) => runProcess(script, [file, String(n)])));
  for (const result of results) expect(result, result.output).toMatchObject({ code: 0 });

  const store = openStore(file);
  try {
    expect(appliedMigrations(store.db).map((m) => m.version)).toEqual(loadMigrations().map((m) => m.version));
    expect(store.db.prepare('SELECT count(*) AS n FROM servers').get()).toEqual({ n: 4 });
  } finally {
    store.close();
  }
});
