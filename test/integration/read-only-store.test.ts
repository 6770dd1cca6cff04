/**
 * A store this user cannot write (a read-only file system here; as a non-root user, a read-only
 * file and folder): the commands that only read it work, and a write says what to do.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, BIN, runCliInProcess } from './cli-runner';

const isRoot = process.getuid?.() === 0;
let dir: string;
let storeDir: string;

/**
 * Runs the built CLI against the store with its folder read-only: for root (whom permissions do not
 * stop) inside a mount namespace of its own where the folder is a read-only bind mount (EROFS).
 */
function readOnlyCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, LDAP_SYNC_DB: path.join(storeDir, 'store.sqlite') };
  const [cmd, argv] = isRoot
    ? ['unshare', ['-m', 'sh', '-c', 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"', 'ro', storeDir, process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  return new Promise((resolve) => {
    execFile(cmd, argv as string[], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  assertCliBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-ro-store-'));
  storeDir = path.join(dir, 'store');
  const env = { ...process.env, LDAP_SYNC_DB: path.join(storeDir, 'store.sqlite') };
  expect((await runCliInProcess(['sample', 'install'], { cwd: dir, env })).code).toBe(0);
  expect((await runCliInProcess(['simulate', 'Sample directory'], { cwd: dir, env })).code).toBe(0);
  if (!isRoot) {
    await chmod(path.join(storeDir, 'store.sqlite'), 0o444);
    await chmod(storeDir, 0o555);
  }
}, 120_000);

afterAll(async () => {
  if (!isRoot && storeDir) await chmod(storeDir, 0o755).catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a store this user cannot write', { timeout: 60_000 }, () => {
  it('still lists snapshots, users and history', async () => {
    const [snapshots, users, history] = await Promise.all([
      readOnlyCli(['snapshot', 'list', '--json']),
      readOnlyCli(['users', '--json']),
      readOnlyCli(['history', '--json']),
    ]);
    for (const r of [snapshots, users, history]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect(JSON.parse(snapshots.stdout)).toMatchObject([{ name: 'Sample directory (Fjordline Instruments)', entries: 322 }]);
    expect(JSON.parse(users.stdout)).toEqual([]);
    expect(JSON.parse(history.stdout)).toMatchObject({ total: 1, runs: [{ kind: 'simulate', status: 'simulated' }] });
  });

  it('refuses a write with a message naming the fix, and keeps the store as it was', async () => {
    const r = await readOnlyCli(['sample', 'remove']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: The store cannot be written \(.*\)\. Commands that only read it \(users, history, snapshot list\) still work; to change it, make the store file and its folder writable/);
    const after = await readOnlyCli(['snapshot', 'list', '--json']);
    expect(JSON.parse(after.stdout)).toHaveLength(1);
  });
});
