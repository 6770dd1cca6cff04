/**
 * What a compromised renderer can make main do with bind passwords (issue 12.1, 12.2): it cannot
 * make main read a file or an environment variable of its choosing, and a stored password never
 * follows a server to another scheme, port or TLS mode. Attacked through the real IPC router.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import { createHandlers } from '../../src-main/ipc/handlers';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import { createRouter } from '../../src-main/ipc/router';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import { emptyServerDraft, type ServerDraft, type ServerView } from '../../src-shared/domain/server';
import { startSlapd, type Slapd } from '../rig/slapd';

const ORIGIN = 'app://renderer';
const FROM_WINDOW = `${ORIGIN}/index.html`;
const noEvents = { emit: () => {} };

let slapd: Slapd;
/** Another directory on the same host, another port: where a changed port would send the password. */
let other: Slapd;
beforeAll(async () => {
  [slapd, other] = await Promise.all([startSlapd({ users: 5 }), startSlapd({ users: 5 })]);
}, 60_000);
afterAll(async () => {
  await Promise.all([slapd?.stop(), other?.stop()]);
});

let dir: string;
let app: AppContext;
let route: ReturnType<typeof createRouter>;
/** What the "OS dialog" answers next (Electron's dialog in the app). */
let dialogAnswer: string | null;
let passwordFile: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lss-window-pw-'));
  passwordFile = join(dir, 'bind-password');
  await writeFile(passwordFile, `${slapd.syncPw}\n`);
  dialogAnswer = passwordFile;
  app = createAppContext({ dbPath: join(dir, 'store.sqlite'), keychain: new SecretToolKeychain({ PATH: process.env.PATH }), env: { SECRET_IN_ENV: slapd.syncPw } });
  route = createRouter(createHandlers(app, { chooseFile: async () => dialogAnswer }), { isTrustedSender: (u) => !!u?.startsWith(`${ORIGIN}/`) });
});
afterEach(async () => {
  app.close();
  await rm(dir, { recursive: true, force: true });
});

/** How many binds as the sync account both directories have logged so far. */
async function syncBinds(): Promise<number> {
  const logs = await Promise.all([slapd.readOpLog(), other.readOpLog()]);
  return logs.flat().filter((l) => l.includes('BIND') && l.includes(slapd.syncDn)).length;
}

/** Corp on `slapd`, trusting the test CA (both directories' certificates come from it). */
const draft = (over: Partial<ServerDraft> = {}): ServerDraft => ({
  ...emptyServerDraft(), name: 'Corp', url: `${slapd.url}/${slapd.baseDn}`, bindDn: slapd.syncDn, timeoutSeconds: 5,
  trustedCertificates: [parseTrustedPem(slapd.pki.caCertPem, 'test CA')], ...over,
});

/** Every method that takes a bind password from the window, with a valid rest of its input. */
const methods = (password: unknown): [string, Record<string, unknown>][] => [
  ['servers.create', { draft: draft(), password }],
  ['servers.update', { id: '00000000-0000-4000-8000-000000000000', draft: draft(), password }],
  ['servers.test', { runId: '00000000-0000-4000-8000-000000000001', draft: draft(), password }],
  ['servers.detectBase', { draft: draft(), password }],
  ['preview.run', { sessionId: '00000000-0000-4000-8000-000000000002', draft: draft(), password, page: 1, pageSize: 50, search: null }],
  ['preview.raw', { sessionId: '00000000-0000-4000-8000-000000000003', draft: draft(), password, dn: 'uid=a' }],
  ['sync.simulateDraft', { runId: '00000000-0000-4000-8000-000000000004', draft: draft(), password, source: { kind: 'live' } }],
];

describe('a bind password from the window', () => {
  it.each([
    ['a file path', { kind: 'file', path: '/proc/self/environ' }],
    ['an environment variable', { kind: 'env', name: 'SECRET_IN_ENV' }],
  ])('is refused as %s by every method, before any handler runs', async (_what, password) => {
    const before = await syncBinds();
    for (const [method, input] of methods(password)) {
      const r = await route(FROM_WINDOW, method, input, noEvents);
      expect(r.ok, method).toBe(false);
      if (!r.ok) {
        expect(r.error.code, method).toBe('INVALID_INPUT');
        expect(r.error.fields?.map((f) => f.path), method).toContainEqual(expect.stringMatching(/^password/));
      }
      // The rest of the input is valid: with no password, nothing is said about the fields.
      const control = await route(FROM_WINDOW, method, { ...input, password: { kind: 'none' } }, noEvents);
      if (!control.ok) expect(control.error.fields ?? [], method).toEqual([]);
    }
    // Only the controls' servers exist, and none has a password from a file or the environment.
    expect(app.servers.list().map((v) => v.password)).toEqual([{ kind: 'none' }]);
    // Nothing reached the directory: slapd saw no bind as the sync account.
    expect(await syncBinds()).toBe(before);
  });

  it('can be a file the admin chose in main\'s dialog, passed back by its token', async () => {
    const chosen = await route(FROM_WINDOW, 'servers.choosePasswordFile', {}, noEvents);
    expect(chosen).toEqual({ ok: true, data: { token: expect.any(String), path: passwordFile } });
    const token = (chosen as { data: { token: string } }).data.token;
    const test = await route(FROM_WINDOW, 'servers.test', { runId: '00000000-0000-4000-8000-000000000010', draft: draft(), password: { kind: 'chosenFile', token } }, noEvents);
    expect(test).toMatchObject({ ok: true, data: { bindable: true, matches: 5 } });
    const created = await route(FROM_WINDOW, 'servers.create', { draft: draft(), password: { kind: 'chosenFile', token } }, noEvents);
    expect(created).toMatchObject({ ok: true, data: { password: { kind: 'file', path: passwordFile } } });
  });

  it('refuses a token the dialog never gave out, and a cancelled dialog gives none', async () => {
    const r = await route(FROM_WINDOW, 'servers.test', { runId: '00000000-0000-4000-8000-000000000011', draft: draft(), password: { kind: 'chosenFile', token: '00000000-0000-4000-8000-00000000dead' } }, noEvents);
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('choose it again') } });
    dialogAnswer = null;
    expect(await route(FROM_WINDOW, 'servers.choosePasswordFile', {}, noEvents)).toEqual({ ok: true, data: null });
  });
});

describe('a stored password', () => {
  /** A server saved over ldaps:// with its password (as a config file would store it). */
  async function savedOverLdaps(): Promise<ServerView> {
    return app.servers.create(draft({ url: `${slapd.ldapsUrl}/${slapd.baseDn}` }), { kind: 'file', path: passwordFile });
  }

  it.each([
    ['the scheme goes from ldaps:// to ldap:// (clear text)', (s: Slapd) => ({ url: `${s.url}/${s.baseDn}` })],
    ['the port changes', () => ({ url: `${other.ldapsUrl}/${other.baseDn}` })],
  ])('is not sent when %s, and saving the change clears it', async (_what, change) => {
    const saved = await savedOverLdaps();
    const before = await syncBinds();
    const changed = draft(change(slapd));
    const test = await route(FROM_WINDOW, 'servers.test', { runId: '00000000-0000-4000-8000-000000000020', serverId: saved.id, draft: changed, password: { kind: 'keep' } }, noEvents);
    expect(test).toMatchObject({ ok: true, data: { bindable: false } });
    expect(JSON.stringify(test)).toContain('so the stored password is not sent');
    const preview = await route(FROM_WINDOW, 'preview.run', { sessionId: '00000000-0000-4000-8000-000000000021', serverId: saved.id, draft: changed, password: { kind: 'keep' }, page: 1, pageSize: 50, search: null }, noEvents);
    expect(preview).toMatchObject({ ok: false, error: { code: 'PASSWORD_REQUIRED' } });
    expect(await syncBinds()).toBe(before);

    const updated = await route(FROM_WINDOW, 'servers.update', { id: saved.id, draft: changed, password: { kind: 'keep' } }, noEvents);
    expect(updated).toMatchObject({ ok: true, data: { passwordCleared: true, server: { password: { kind: 'none' } } } });
  });

  it('is not sent when StartTLS is turned off on an ldap:// server', async () => {
    const saved = await app.servers.create(draft({ startTls: true }), { kind: 'file', path: passwordFile });
    const r = await route(FROM_WINDOW, 'preview.run', { sessionId: '00000000-0000-4000-8000-000000000030', serverId: saved.id, draft: draft({ startTls: false }), password: { kind: 'keep' }, page: 1, pageSize: 50, search: null }, noEvents);
    expect(r).toMatchObject({ ok: false, error: { code: 'PASSWORD_REQUIRED' } });
    const updated = await app.servers.update(saved.id, draft({ startTls: false }), { kind: 'keep' });
    expect(updated.passwordCleared).toBe(true);
  });

  it('still goes with the server it was saved for, whatever the spelling of its host', async () => {
    const saved = await app.servers.create(draft({ url: `ldap://127.0.0.1:${slapd.ldapPort}/${slapd.baseDn.toUpperCase()}` }), { kind: 'file', path: passwordFile });
    const r = await route(FROM_WINDOW, 'servers.test', { runId: '00000000-0000-4000-8000-000000000040', serverId: saved.id, draft: draft(), password: { kind: 'keep' } }, noEvents);
    expect(r).toMatchObject({ ok: true, data: { bindable: true, matches: 5 } });
  });
});
