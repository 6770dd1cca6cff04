import { BIN, runCliInProcess, runCliProcess, type Outcome } from './cli-runner';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FILTER = '(&(objectClass=inetOrgPerson)(uid=?))';


let dir: string;
let db: string;

/** Runs the CLI (in-process) with its store in the test's temp folder. */
function ldapSync(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return runCliInProcess(args, { cwd: dir, env: { ...process.env, LDAP_SYNC_DB: db, ...env } });
}

/** Runs the built CLI as a child process (`node bin/ldap-sync.mjs`, or `cmd` such as npx), as a user would. */
function builtLdapSync(args: string[], cmd?: string[]): Promise<Outcome> {
  return runCliProcess(args, { cwd: dir, env: { ...process.env, LDAP_SYNC_DB: db }, cmd });
}

async function writeJson(name: string, doc: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, JSON.stringify(doc, null, 2));
  return file;
}

const server = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  url: 'ldap://127.0.0.1:3890/ou=people,dc=example,dc=com',
  bindDn: 'cn=sync,dc=example,dc=com',
  bindPassword: { env: 'CORP_BIND_PASSWORD' },
  searchFilter: FILTER,
  ...extra,
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-cli-'));
  db = path.join(dir, 'store.sqlite');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the built ldap-sync command', () => {
  it('prints the usage with --help and exits 0', async () => {
    const r = await builtLdapSync(['--help']);
    expect(r.code).toBe(0);
    for (const line of ['config apply FILE', 'config export', 'server list', 'server test NAME', '--db FILE', '--json', `LDAP_SYNC_DB is set: ${db}`]) {
      expect(r.stdout).toContain(line);
    }
    expect(r.stderr).toBe('');
  });

  it('prints the version with --version', async () => {
    const r = await builtLdapSync(['--version']);
    expect(r).toEqual({ code: 0, stdout: 'ldap-sync 0.1.0\n', stderr: '' });
  });

  it('runs through npx ldap-sync from the package folder, with the arguments passed on', async () => {
    const r = await runCliProcess(['ldap-sync', '--version'], { cwd: ROOT, env: process.env, cmd: ['npx', '--no-install'] });
    expect(r.stdout).toBe('ldap-sync 0.1.0\n');
    expect(r.code).toBe(0);
  });

  it('exits 2 with a message and the usage for an unknown command', async () => {
    const r = await builtLdapSync(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: unknown command "frobnicate"\n\n/);
    expect(r.stderr).toContain('Usage: ldap-sync');
  });

  it('says in one line how to build it when the bundle is missing (a checkout without npm install)', async () => {
    const bin = path.join(dir, 'checkout', 'bin', 'ldap-sync.mjs');
    await mkdir(path.dirname(bin), { recursive: true });
    await copyFile(BIN, bin);
    const r = await runCliProcess(['--version'], { cwd: dir, env: process.env, cmd: [process.execPath, bin] });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: ldap-sync is not built (dist/cli/ldap-sync.js is missing): run npm install or npm run build:cli\n');
  });
});

describe('ldap-sync usage', () => {
  it('explains a command with help COMMAND and with COMMAND --help', async () => {
    const [viaHelp, viaFlag] = await Promise.all([ldapSync(['help', 'config', 'apply']), ldapSync(['config', 'apply', '--help'])]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toMatch(/^Usage: ldap-sync config apply FILE \[--dry-run\]/);
    expect(viaHelp.stdout).toContain('"bindPassword": { "env": "CORP_BIND_PASSWORD" }');
    expect(viaFlag).toEqual(viaHelp);
  });

  it('exits 2 naming an unknown option, a missing argument or an extra one', async () => {
    const [flag, missing, extra, group] = await Promise.all([
      ldapSync(['server', 'list', '--verbose']),
      ldapSync(['config', 'apply']),
      ldapSync(['server', 'test', 'a', 'b']),
      ldapSync(['server']),
    ]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^error: unknown option --verbose for "ldap-sync server list"\n\nUsage: ldap-sync server list/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: missing FILE\n\nUsage: ldap-sync config apply FILE/);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/^error: unexpected argument "b"/);
    expect(group.code).toBe(2);
    expect(group.stderr).toMatch(/^error: "server" needs a command: list, test, detect-base\n\nUsage: ldap-sync server <command>/);
  });

  it('prints usage errors as JSON with --json', async () => {
    const r = await ldapSync(['frobnicate', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'INVALID_INPUT', message: 'unknown command "frobnicate"' } });
  });
});

describe('ldap-sync config and server list', () => {
  it('applies a file, then reports each server as unchanged when applied again', async () => {
    const file = await writeJson('servers.json', { servers: [server('Corp'), server('Branch', { bindAnonymously: true, bindDn: '' })] });
    const first = await ldapSync(['config', 'apply', file]);
    expect(first).toEqual({ code: 0, stdout: 'created Corp\ncreated Branch\n', stderr: '' });
    const again = await ldapSync(['config', 'apply', 'servers.json', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      dryRun: false,
      servers: [
        { name: 'Corp', action: 'unchanged', passwordCleared: false },
        { name: 'Branch', action: 'unchanged', passwordCleared: false },
      ],
    });
    const list = await ldapSync(['server', 'list']);
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+URL\s+PAGE SIZE\s+PASSWORD\s+LAST TEST$/);
    expect(list.stdout).toMatch(/Branch .* anonymous bind\s+never tested/);
    expect(list.stdout).toMatch(/Corp .* env CORP_BIND_PASSWORD\s+never tested/);
  });

  it('notes a cleared password, and writes nothing in a dry run', async () => {
    await ldapSync(['config', 'apply', await writeJson('a.json', { servers: [server('Corp')] })]);
    const moved = await writeJson('b.json', { servers: [{ ...server('Corp', { url: 'ldap://other.example.com/dc=example,dc=com' }), bindPassword: undefined }] });
    const dry = await ldapSync(['config', 'apply', moved, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^would update Corp\n {2}note: the stored bind password of "Corp" would be cleared because its scheme, host, port, TLS mode or bind DN changed/);
    expect(dry.stdout).toContain('Dry run: nothing was written.');
    expect(JSON.parse((await ldapSync(['server', 'list', '--json'])).stdout)[0].password).toEqual({ kind: 'env', name: 'CORP_BIND_PASSWORD' });

    const real = await ldapSync(['config', 'apply', moved]);
    expect(real.stdout).toMatch(/^updated Corp\n {2}note: the stored bind password of "Corp" was cleared/);
    const after = JSON.parse((await ldapSync(['server', 'list', '--json'])).stdout);
    expect(after[0]).toMatchObject({ url: 'ldap://other.example.com/dc=example,dc=com', password: { kind: 'none' } });
    expect(after[0].passwordClearedAt).toEqual(expect.any(String));
  });

  it('refuses an invalid file as a whole, listing every problem, and leaves the store unchanged', async () => {
    await ldapSync(['config', 'apply', await writeJson('good.json', { servers: [server('Corp')] })]);
    const before = (await ldapSync(['server', 'list', '--json'])).stdout;
    const bad = await writeJson('bad.json', {
      servers: [server('Corp', { timeoutSeconds: 99 }), server('New', { url: 'ldap://127.0.0.1', bindPassword: 'hunter2', serchFilter: 'x' })],
    });
    const r = await ldapSync(['config', 'apply', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(`error: ${bad} has 3 problems; nothing was applied.`);
    expect(lines[1]).toMatch(/^ {2}servers\[1\]\.url: .*search base/);
    expect(lines[2]).toBe(
      '  servers[1].bindPassword: bindPassword must be a reference, { "env": NAME } or { "file": PATH }: a plaintext password in a config file would end up in version control and backups',
    );
    expect(lines[3]).toBe('  servers[1].serchFilter: unknown key (did you mean "searchFilter"?)');
    expect(lines[4]).toBe('');
    expect((await ldapSync(['server', 'list', '--json'])).stdout).toBe(before);

    const json = await ldapSync(['config', 'apply', bad, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'servers[1].url' }, { path: 'servers[1].bindPassword' }, { path: 'servers[1].serchFilter' }] });
  });

  it('exports a config that applies into a fresh store (chosen with --db) as the same servers', async () => {
    await ldapSync(['config', 'apply', await writeJson('a.json', { servers: [server('Corp', { timeoutSeconds: 7 }), server('Files', { bindPassword: { file: 'secret.txt' } })] })]);
    const exported = await ldapSync(['config', 'export']);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toBe('');
    expect(JSON.parse(exported.stdout).servers[1].bindPassword).toEqual({ file: path.join(dir, 'secret.txt') });
    await writeFile(path.join(dir, 'export.json'), exported.stdout);
    const other = path.join(dir, 'other.sqlite');
    expect((await ldapSync(['--db', other, 'config', 'apply', 'export.json'])).stdout).toBe('created Corp\ncreated Files\n');
    const strip = (text: string) => JSON.parse(text).map(({ id: _i, createdAt: _c, updatedAt: _u, ...rest }: Record<string, unknown>) => rest);
    const [a, b] = await Promise.all([ldapSync(['server', 'list', '--json']), ldapSync(['server', 'list', '--json', '--db', other])]);
    expect(strip(b.stdout)).toEqual(strip(a.stdout));
  });

  it('says so in one line, without a stack, for an unknown server or a file that is not a store', async () => {
    const missing = await ldapSync(['server', 'test', 'Nope']);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'error: No server named "Nope". List them with: ldap-sync server list\n' });
    const json = await ldapSync(['server', 'test', 'Nope', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'NOT_FOUND', message: 'No server named "Nope". List them with: ldap-sync server list' } });

    await writeFile(path.join(dir, 'junk.sqlite'), 'this is not a database, just text '.repeat(200));
    const junk = await ldapSync(['server', 'list'], { LDAP_SYNC_DB: path.join(dir, 'junk.sqlite') });
    expect(junk.code).toBe(1);
    expect(junk.stderr).toMatch(/^error: .*junk\.sqlite is not an LDAP Sync Studio store/);
    expect(junk.stderr.trim().split('\n')).toHaveLength(1);
  });
});
