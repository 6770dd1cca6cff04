/**
 * The IPC methods the Test sign-in panel, the local user form, CSV upload and the registration key
 * view call (issue 14), through the real router: inputs validated in main, results as envelopes,
 * LDAP_MANAGED for a password change of an LDAP user, and no password in any answer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import { createHandlers } from '../../src-main/ipc/handlers';
import { createRouter } from '../../src-main/ipc/router';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import type { OrganizationView, UserView } from '../../src-shared/domain/directory';
import type { CsvImportReport, OrgAuthImpact, UserDetail } from '../../src-shared/domain/local-users';
import type { SignInResult } from '../../src-shared/domain/sign-in';
import { startSlapd, type Slapd } from '../rig/slapd';
import { rigDraft } from './preview-fixture';

const FROM_WINDOW = 'app://renderer/index.html';
const noEvents = { emit: () => {} };
const LOCAL_PW = 'panel-password-123';

let slapd: Slapd;
let dir: string;
let app: AppContext;
let route: ReturnType<typeof createRouter>;
let corp: OrganizationView;
let guests: OrganizationView;

async function call<T>(method: string, input: unknown): Promise<T> {
  const r = await route(FROM_WINDOW, method, input, noEvents);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { info: r.error });
  return r.data as T;
}
async function refused(method: string, input: unknown) {
  const r = await route(FROM_WINDOW, method, input, noEvents);
  if (r.ok) throw new Error(`${method} was not refused`);
  return r.error;
}

beforeAll(async () => {
  slapd = await startSlapd({ users: 3, logOps: false });
  dir = await mkdtemp(join(tmpdir(), 'lss-sign-in-ipc-'));
  app = createAppContext({ dbPath: join(dir, 'store.sqlite'), keychain: new SecretToolKeychain({ PATH: process.env.PATH }), env: { SYNC_PW: slapd.syncPw } });
  route = createRouter(createHandlers(app), { isTrustedSender: (u) => !!u?.startsWith('app://renderer/') });
  const server = await app.servers.create({ ...rigDraft(slapd), name: 'Corp' }, { kind: 'env', name: 'SYNC_PW' });
  corp = app.directory.createOrg({ name: 'Corp', parentId: null, authServerId: server.id });
  guests = app.directory.createOrg({ name: 'Guests', parentId: null, authServerId: null });
}, 60_000);
afterAll(async () => {
  app?.close();
  await rm(dir, { recursive: true, force: true });
  await slapd?.stop();
});

describe('sign-in and local users over IPC', () => {
  it('auth.test registers with the key and a device, and the answer holds no password', async () => {
    const r = await call<SignInResult>('auth.test', { username: 'user00001', password: slapd.userPassword, registrationKey: corp.registrationKey, register: true, device: 'Desk PC' });
    expect(r).toMatchObject({ allowed: true, code: 'OK', registered: true, user: { org: 'Corp' } });
    expect(JSON.stringify(r)).not.toContain(slapd.userPassword);
    const user = app.directory.findUser('user00001')!;
    const detail = await call<UserDetail>('users.detail', { id: user.id });
    expect(detail).toMatchObject({ signIn: 'ldap', hasLocalPassword: false, devices: [{ name: 'Desk PC', active: true }] });
    // Devices follow their user.
    app.directory.setUserActive(user.id, false);
    expect((await call<UserDetail>('users.detail', { id: user.id })).devices).toMatchObject([{ active: false, deactivatedBy: 'user' }]);
    app.directory.setUserActive(user.id, true);
    expect((await call<UserDetail>('users.detail', { id: user.id })).devices).toMatchObject([{ active: true }]);
  });

  it('validates the input in main: an unknown field or an over-long password is refused before the service', async () => {
    expect(await refused('auth.test', { username: 'x', password: 'y', registrationKey: null, register: false, device: null, extra: 1 })).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await refused('auth.test', { username: 'x', password: 'y'.repeat(1025), registrationKey: null, register: false, device: null })).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('users.add and users.setPassword for a local user; LDAP_MANAGED for an LDAP user', async () => {
    const added = await call<UserView>('users.add', { user: { username: 'local1', org: 'Guests', email: null, firstName: 'Lou', lastName: null, password: LOCAL_PW } });
    expect(added).toMatchObject({ username: 'local1', orgName: 'Guests', firstName: 'Lou' });
    expect(await call<SignInResult>('auth.test', { username: 'local1', password: LOCAL_PW, registrationKey: null, register: false, device: null })).toMatchObject({ allowed: true });
    expect(await call('users.setPassword', { id: added.id, password: 'changed-password-1' })).toEqual({ changed: true });
    expect(await refused('users.setPassword', { id: added.id, password: 'short' })).toMatchObject({ code: 'INVALID_INPUT', fields: [{ path: 'password' }] });
    const ldapUser = app.directory.findUser('user00001')!;
    expect(await refused('users.setPassword', { id: ldapUser.id, password: 'whatever-password' })).toMatchObject({ code: 'LDAP_MANAGED', message: expect.stringMatching(/change the password in the directory/) });
  });

  it('users.importCsv: a dry run first, a bad row refuses the whole file', async () => {
    const bad = await call<CsvImportReport>('users.importCsv', { text: 'username,org\nok1,Guests\n,Guests\n', dryRun: false });
    expect(bad).toMatchObject({ added: 0, problems: [{ row: 3, column: 'username', reason: 'Enter a username.' }] });
    expect(app.directory.findUser('ok1')).toBeNull();
    const dry = await call<CsvImportReport>('users.importCsv', { text: 'username,org\nok1,Guests\n', dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, added: 0, usernames: ['ok1'], problems: [] });
    expect((await call<CsvImportReport>('users.importCsv', { text: 'username,org\nok1,Guests\n', dryRun: false })).added).toBe(1);
    const csv = await call<{ filename: string; text: string; users: number }>('users.exportCsv', {});
    expect(csv.filename).toMatch(/^users-\d{4}-\d\d-\d\d\.csv$/);
    expect(csv.text).toContain('\r\nok1,Guests,');
  });

  it('orgs.rotateKey invalidates the old key; orgs.authImpact says what a change of sign-in means', async () => {
    const rotated = await call<OrganizationView>('orgs.rotateKey', { id: guests.id });
    expect(rotated.registrationKey).not.toBe(guests.registrationKey);
    const old = await call<SignInResult>('auth.test', { username: 'someone', password: LOCAL_PW, registrationKey: guests.registrationKey, register: false, device: null });
    expect(old.code).toBe('UNKNOWN_REGISTRATION_KEY');
    const impact = await call<OrgAuthImpact>('orgs.authImpact', { id: guests.id, authServerId: corp.auth.kind === 'ldap' ? corp.auth.serverId : null });
    expect(impact).toMatchObject({ org: 'Guests', users: 2 });
    expect(impact.message).toMatch(/will sign in with their password in "Corp"/);
    const toLocal = await call<OrgAuthImpact>('orgs.authImpact', { id: corp.id, authServerId: null });
    expect(toLocal).toMatchObject({ users: 1, withoutLocalPassword: 1 });
  });
});
