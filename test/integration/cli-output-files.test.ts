/**
 * Where the CLI writes files and output: `snapshot export --output` never replaces what is not a
 * regular file and writes owner-only; output that cannot be written (a full disk) is one clear line.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { lstat, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, BIN, runCliInProcess } from './cli-runner';

const SNAPSHOT = 'Sample directory (Fjordline Instruments)';
let dir: string;
let env: NodeJS.ProcessEnv;
const ldapSync = (args: string[]) => runCliInProcess(args, { cwd: dir, env });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-cli-output-'));
  env = { ...process.env, LDAP_SYNC_DB: path.join(dir, 'store.sqlite') };
  expect((await ldapSync(['sample', 'install'])).code).toBe(0);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('snapshot export --output', () => {
  it('writes a new file readable by its owner only', async () => {
    const r = await ldapSync(['snapshot', 'export', SNAPSHOT, '--output', 'sample.ldif']);
    expect(r.code).toBe(0);
    const st = await stat(path.join(dir, 'sample.ldif'));
    expect(st.mode & 0o777).toBe(0o600);
    expect(await readFile(path.join(dir, 'sample.ldif'), 'utf8')).toMatch(/^version: 1$/m);
  });

  it('refuses a symbolic link and leaves both the link and its target alone', async () => {
    const target = path.join(dir, 'precious.txt');
    await writeFile(target, 'keep me\n');
    await symlink(target, path.join(dir, 'link.ldif'));
    const r = await ldapSync(['snapshot', 'export', SNAPSHOT, '--output', 'link.ldif', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('link.ldif is a symbolic link, not a regular file') });
    expect((await lstat(path.join(dir, 'link.ldif'))).isSymbolicLink()).toBe(true);
    expect(await readlink(path.join(dir, 'link.ldif'))).toBe(target);
    expect(await readFile(target, 'utf8')).toBe('keep me\n');
  });

  it('refuses a device such as /dev/null, which stays a device', async () => {
    const r = await ldapSync(['snapshot', 'export', SNAPSHOT, '--output', '/dev/null']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/dev/null is a device, not a regular file');
    expect((await stat('/dev/null')).isCharacterDevice()).toBe(true);
  });
});

describe('output that cannot be written', () => {
  it('says the disk is full in one line, without a stack trace, and fails (the built CLI, stdout on /dev/full)', async () => {
    assertCliBuilt();
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [BIN, 'snapshot', 'export', SNAPSHOT], { cwd: dir, env, stdio: ['ignore', full, 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      expect(code).toBe(1);
      expect(stderr).toMatch(/^error: The disk is full \(ENOSPC[^\n]*\)[^\n]*Free some space[^\n]*\n$/);
    } finally {
      closeSync(full);
    }
  });
});
