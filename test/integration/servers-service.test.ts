import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import { getServer } from '../../src-main/store/servers-repo';
import { emptyServerDraft, type ServerDraft } from '../../src-shared/domain/server';
import { AppError } from '../../src-shared/errors';
import { startKeyring, type Keyring } from '../rig/keyring';
import { startSlapd, type Slapd } from '../rig/slapd';

const SECRET = 'correct horse battery staple 7f3a';

describe('servers: passwords, keychain and the store', () => {
  let slapd: Slapd;
  let keyring: Keyring;
  let dir: string;
  let app: AppContext;
  let keychain: SecretToolKeychain;

  beforeAll(async () => {
    [slapd, keyring] = await Promise.all([startSlapd({ users: 20 }), startKeyring()]);
  });
  afterAll(async () => {
    await Promise.all([slapd?.stop(), keyring?.stop()]);
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lss-svc-'));
    keychain = new SecretToolKeychain({ ...process.env, ...keyring.env });
    app = createAppContext({ dbPath: join(dir, 'store.sqlite'), keychain, env: { SYNC_PW: slapd.syncPw } });
  });
  afterEach(async () => {
    app.close();
    await rm(dir, { recursive: true, force: true });
  });

  const corp = (over: Partial<ServerDraft> = {}): ServerDraft => ({
    ...emptyServerDraft(),
    name: 'Corp',
    url: `${slapd.url}/${slapd.baseDn}`,
    bindDn: slapd.syncDn,
    ...over,
  });

  async function storeBytes(): Promise<Buffer> {
    app.store.db.pragma('wal_checkpoint(FULL)');
    const files = (await readdir(dir)).filter((f) => f.startsWith('store.sqlite'));
    return Buffer.concat(await Promise.all(files.map((f) => readFile(join(dir, f)))));
  }

  it('keeps a typed password in the OS keychain and never in the SQLite files or the view', async () => {
    const view = await app.servers.create(corp(), { kind: 'value', value: SECRET });
    expect(view.password).toEqual({ kind: 'keychain' });
    expect(JSON.stringify(view)).not.toContain(SECRET);
    expect(JSON.stringify(app.servers.list())).not.toContain(SECRET);
    const bytes = await storeBytes();
    expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
    const row = getServer(app.store.db, view.id)!;
    expect(row.passwordRef?.kind).toBe('keychain');
    expect(await keychain.get((row.passwordRef as { account: string }).account)).toBe(SECRET);
  });

  it('tests a saved server with its stored password and records the last test', async () => {
    const view = await app.servers.create(corp(), { kind: 'value', value: slapd.syncPw });
    const { id, password: _p, passwordClearedAt: _c, lastTest: _l, createdAt: _a, updatedAt: _u, ...draft } = view;
    const report = await app.servers.test({ serverId: id, draft, password: { kind: 'keep' } });
    expect(report.error).toBeNull();
    expect(report.matches).toBe(20);
    const after = app.servers.get(id);
    expect(after.lastTest?.reachable).toBe(true);
    expect(after.lastTest?.bindable).toBe(true);
    expect(after.lastTest?.matches).toBe(20);
  });

  it('clears the stored password when the URL host changes, so it is never sent to another server', async () => {
    const view = await app.servers.create(corp(), { kind: 'value', value: slapd.syncPw });
    const account = (getServer(app.store.db, view.id)!.passwordRef as { account: string }).account;
    const moved = corp({ url: `ldap://localhost:${slapd.ldapPort}/${slapd.baseDn}` });
    // Testing the changed form with "keep" does not send the stored password.
    const report = await app.servers.test({ serverId: view.id, draft: moved, password: { kind: 'keep' } });
    expect(report.stages.find((s) => s.name === 'bind')?.error?.code).toBe('PASSWORD_REQUIRED');
    const { server, passwordCleared } = await app.servers.update(view.id, moved, { kind: 'keep' });
    expect(passwordCleared).toBe(true);
    expect(server.password).toEqual({ kind: 'none' });
    expect(server.passwordClearedAt).not.toBeNull();
    expect(await keychain.get(account)).toBeNull();
  });

  it('clears the stored password when the bind DN changes, but not for other edits', async () => {
    const view = await app.servers.create(corp(), { kind: 'env', name: 'SYNC_PW' });
    const renamed = await app.servers.update(view.id, corp({ name: 'Corp HQ', timeoutSeconds: 10 }), { kind: 'keep' });
    expect(renamed.passwordCleared).toBe(false);
    expect(renamed.server.password).toEqual({ kind: 'env', name: 'SYNC_PW' });
    const otherDn = await app.servers.update(view.id, corp({ bindDn: slapd.limitedDn }), { kind: 'keep' });
    expect(otherDn.passwordCleared).toBe(true);
    expect(otherDn.server.password).toEqual({ kind: 'none' });
  });

  it('keeps the password when the new value comes with the host change', async () => {
    const view = await app.servers.create(corp(), { kind: 'value', value: 'old' });
    const { server, passwordCleared } = await app.servers.update(view.id, corp({ url: `ldap://localhost:${slapd.ldapPort}/${slapd.baseDn}` }), { kind: 'value', value: slapd.syncPw });
    expect(passwordCleared).toBe(false);
    expect(server.password).toEqual({ kind: 'keychain' });
  });

  it('reads env and file password references at use time', async () => {
    const file = join(dir, 'bind.pw');
    await writeFile(file, `${slapd.syncPw}\n`, { mode: 0o600 });
    for (const password of [{ kind: 'env' as const, name: 'SYNC_PW' }, { kind: 'file' as const, path: file }]) {
      const r = await app.servers.test({ draft: corp(), password });
      expect(r.error).toBeNull();
    }
    const missing = await app.servers.test({ draft: corp(), password: { kind: 'env', name: 'NOT_SET_ANYWHERE' } });
    expect(missing.stages.find((s) => s.name === 'bind')?.error?.message).toMatch(/NOT_SET_ANYWHERE is not set/);
  });

  it('refuses to save a typed password where no keychain exists, names the fix, and saves nothing', async () => {
    const noKeychain = new SecretToolKeychain({ PATH: process.env.PATH, HOME: dir, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-bus')}` });
    const status = await noKeychain.status();
    expect(status.available).toBe(false);
    const headless = createAppContext({ dbPath: join(dir, 'other.sqlite'), keychain: noKeychain });
    try {
      const err = await headless.servers.create(corp(), { kind: 'value', value: SECRET }).catch((e) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe('SECRET_UNAVAILABLE');
      expect(err.message).toMatch(/No OS keychain/);
      expect(err.message).toMatch(/"env"/);
      expect(err.message).toMatch(/"file"/);
      expect(headless.servers.list()).toEqual([]);
    } finally {
      headless.close();
    }
  });

  it('refuses a duplicate name, case-insensitively, and leaves the store as it was', async () => {
    await app.servers.create(corp(), { kind: 'none' });
    const before = app.servers.list();
    const err = await app.servers.create(corp({ name: 'CORP' }), { kind: 'value', value: SECRET }).catch((e) => e);
    expect(err.code).toBe('CONFLICT');
    expect(err.fields?.[0]?.path).toBe('name');
    expect(app.servers.list()).toEqual(before);
  });

  it('rejects invalid URL, DN and filter with per-field messages', async () => {
    const err = await app.servers.create(corp({ url: 'http://x', bindDn: 'not a dn', searchFilter: '(uid=x' }), { kind: 'none' }).catch((e) => e);
    expect(err.code).toBe('INVALID_INPUT');
    const paths = (err.fields as { path: string }[]).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['url', 'bindDn', 'searchFilter']));
  });

  it('refuses scripts that do not compile with their line and column, and saves nothing', async () => {
    const scripts = { active: 'function(entry) {\n  return entry.uid ==;\n}', orgName: '   ', roleName: '42' };
    const err = await app.servers.create(corp({ scripts }), { kind: 'none' }).catch((e: unknown) => e as AppError);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).fields).toEqual([
      { path: 'scripts.active', message: expect.stringMatching(/^Active script, line 2, column \d+: /) },
      { path: 'scripts.roleName', message: expect.stringMatching(/^Role name script, line 1, column 1: .*not a function/) },
    ]);
    expect(app.servers.list()).toEqual([]);
  });

  it('keeps mapping and scripts through create, update and duplicate; a blank optional script is saved as none', async () => {
    const scripts = { active: "function(entry) { return entry.employeeType != 'intern'; }", orgName: 'function(entry) { return entry.o; }', roleName: ' ' };
    const view = await app.servers.create(corp({ mapping: { email: 'mail', firstName: ' cn ', lastName: '' }, scripts }), { kind: 'none' });
    expect(view).toMatchObject({ mapping: { email: 'mail', firstName: 'cn', lastName: '' }, scripts: { ...scripts, roleName: null } });
    const { server } = await app.servers.update(view.id, corp({ scripts: { ...scripts, orgName: null } }), { kind: 'keep' });
    expect(server.scripts.orgName).toBeNull();
    expect(server.mapping).toEqual({ email: 'mail', firstName: 'givenName', lastName: 'sn' });
    const copy = await app.servers.duplicate(view.id);
    expect(copy.scripts).toEqual(server.scripts);
  });

  it('duplicates a server with its keychain password under a new name, and deletes it with its keychain item', async () => {
    const view = await app.servers.create(corp(), { kind: 'value', value: slapd.syncPw });
    const copy = await app.servers.duplicate(view.id);
    expect(copy.name).toBe('Corp (copy)');
    expect(copy.password).toEqual({ kind: 'keychain' });
    const again = await app.servers.duplicate(view.id);
    expect(again.name).toBe('Corp (copy 2)');
    const copyAccount = (getServer(app.store.db, copy.id)!.passwordRef as { account: string }).account;
    const r = await app.servers.test({ serverId: copy.id, draft: corp({ name: copy.name }), password: { kind: 'keep' } });
    expect(r.error).toBeNull();
    await app.servers.delete(copy.id);
    expect(await keychain.get(copyAccount)).toBeNull();
    expect(app.servers.list().map((s) => s.name)).toEqual(['Corp', 'Corp (copy 2)']);
  });
});
