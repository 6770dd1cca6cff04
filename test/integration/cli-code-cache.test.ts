import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertCliBuilt, BIN, runCliProcess, type Outcome } from './cli-runner';

// The built CLI runs its bundle with a V8 code cache (src-main/cli/bundle-launcher.cjs). These run a
// copy of bin/ and dist/cli/ in a temp folder, so the caches they write and damage are their own:
// `--version` and `--help` load no package from node_modules (scripts/build-cli.mjs checks it).

let dir: string;
let bin: string;
let cacheDir: string;

beforeEach(async () => {
  assertCliBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-code-cache-'));
  const root = path.dirname(path.dirname(BIN));
  await mkdir(path.join(dir, 'bin'));
  bin = path.join(dir, 'bin', 'ldap-sync.mjs');
  await cp(BIN, bin);
  await cp(path.join(root, 'dist', 'cli'), path.join(dir, 'dist', 'cli'), { recursive: true, filter: (f) => !f.includes('v8-cache') });
  cacheDir = path.join(dir, 'dist', 'cli', 'v8-cache');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<Outcome> {
  return runCliProcess(args, { cwd: dir, env: process.env, cmd: [process.execPath, bin] });
}

async function cacheFiles(): Promise<string[]> {
  return (await readdir(cacheDir).catch(() => [] as string[])).sort();
}

describe('the built CLI with its code cache', () => {
  it('prints the same without a cache, with the cache it wrote, and with a damaged one', async () => {
    const first = await run(['--version']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^ldap-sync \d+\.\d+\.\d+\n$/);
    expect(first.stderr).toBe('');
    const files = await cacheFiles();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^ldap-sync-version-/);

    const file = path.join(cacheDir, files[0]);
    const written = await readFile(file);
    expect(await run(['--version'])).toEqual(first);
    // Accepted by V8 (made under the same V8 flags: the launcher sets its own at every run), so not written again.
    expect((await readFile(file)).equals(written)).toBe(true);

    await writeFile(file, Buffer.alloc(4096, 7));
    expect(await run(['--version'])).toEqual(first);
    // Refused by V8, so written again.
    expect((await readFile(file)).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it('keeps one cache per command, and none for a command that failed', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    const again = await run(['--help']);
    expect(again).toEqual(help);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command "frobnicate"\n/);
    const files = await cacheFiles();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^ldap-sync-help-/);
  });
});
