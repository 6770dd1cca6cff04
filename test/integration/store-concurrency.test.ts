import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the store processes did not start');
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('several processes opening the same new store at once all succeed and apply each migration once', async () => {
  const file = join(dir, 'shared', 'store.sqlite');
  const script = join(dir, 'open-store.ts');
  const db = pathToFileURL(join(ROOT, 'src-main', 'store', 'db.ts')).href;
  const repo = pathToFileURL(join(ROOT, 'src-main', 'store', 'servers-repo.ts')).href;
  writeFileSync(
    script,
    `import { existsSync, writeFileSync } from 'node:fs';
import { openStore } from '${db}';
import { insertServer } from '${repo}';
const [file, n, barrier] = process.argv.slice(2);
// Start together: announce readiness, then wait for the go signal.
writeFileSync(barrier + '.ready-' + n, '');
while (!existsSync(barrier + '.go')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
const store = openStore(file);
const now = new Date().toISOString();
insertServer(store.db, { id: 'id-' + n, name: 'Server ' + n, url: 'ldap://h', startTls: false, bindAnonymously: true, bindDn: '',
  searchFilter: '(uid=?)', timeoutSeconds: 30, mapping: { email: 'mail', firstName: 'givenName', lastName: 'sn' },
  scripts: { active: 'function(entry) { return true; }', orgName: null, roleName: null }, createUsers: false, defaultOrgId: null, offline: false, snapshotId: null, scriptTests: [], passwordRef: null, passwordClearedAt: null, lastTest: null, createdAt: now, updatedAt: now });
store.close();
`,
  );

  const barrier = join(dir, 'barrier');
  const processes = [1, 2, 3].map((n) => runProcess(script, [file, String(n), barrier]));
  await waitFor(() => [1, 2, 3].every((n) => existsSync(`${barrier}.ready-${n}`)));
  writeFileSync(`${barrier}.go`, '');
  const results = await Promise.all(processes);
  // On failure show each process's error line, not its stack (vitest would try to source-map it).
  const outcomes = results.map((r) => (r.code === 0 ? 'ok' : (r.output.split('\n').find((line) => /Error/.test(line)) ?? `exit ${r.code}`)));
  expect(outcomes).toEqual(['ok', 'ok', 'ok']);

  const store = openStore(file);
  try {
    expect(appliedMigrations(store.db).map((m) => m.version)).toEqual(loadMigrations().map((m) => m.version));
    expect(store.db.prepare('SELECT count(*) AS n FROM servers').get()).toEqual({ n: 3 });
  } finally {
    store.close();
  }
});
