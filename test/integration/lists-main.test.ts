/**
 * The main-process side of the Users, Roles, History and server lists (issue 13.5) against a real
 * slapd and real SQLite stores: bulk deactivation in one transaction, the status filter and sorting,
 * protected built-in roles, one chart line per server, and a tested-then-saved server keeping its test.
 */
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src-main/app-context';
import { createHandlers } from '../../src-main/ipc/handlers';
import { contract } from '../../src-shared/ipc/contract';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import { createAppContext } from '../../src-main/app-context';
import { insertDevice } from '../../src-main/store/users-repo';
import { BUILT_IN_ROLE_IDS, type UserView } from '../../src-shared/domain/directory';
import type { ServerView } from '../../src-shared/domain/server';
import { AppError } from '../../src-shared/errors';
import { startKeyring, type Keyring } from '../rig/keyring';
import { startSlapd, type Slapd } from '../rig/slapd';
import { openTestApp, rigDraft, type TestApp } from './preview-fixture';
import { runCliInProcess } from './cli-runner';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let slapd: Slapd;
let t: TestApp;
let app: AppContext;
let corp: ServerView;

const ACTIVE = `function(entry) { return entry.employeeType !== 'terminated'; }`;
const ORG = `function(entry) { return 'Corp People'; }`;

beforeAll(async () => {
  slapd = await startSlapd({ users: 12, logOps: false });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await slapd?.stop();
});

beforeEach(async () => {
  await t?.close();
  t = await openTestApp({ SYNC_PW: slapd.syncPw });
  app = t.app;
  corp = await app.servers.create({ ...rigDraft(slapd), name: 'Corp', scripts: { active: ACTIVE, orgName: ORG, roleName: null }, createUsers: true }, { kind: 'env', name: 'SYNC_PW' });
  app.directory.createOrg({ name: 'Corp People', parentId: null, authServerId: corp.id });
  app.sync.saveSettings({ ...app.sync.settings(), deactivationLimit: { percent: 100, count: 1_000_000, dropPercent: 100 } });
  const first = await app.sync.run({ serverId: corp.id, mode: 'sync', trigger: 'manual' });
  expect(first.status).toBe('applied');
});

const page = (over: Partial<Parameters<AppContext['directory']['listUsers']>[0]> = {}) =>
  app.directory.listUsers({ search: null, orgId: null, offset: 0, limit: 500, ...over });
const names = (rows: UserView[]) => rows.map((u) => u.username);

describe('bulk deactivate and reactivate', () => {
  it('deactivates the chosen users and their devices as an admin in one call, and reactivates them', () => {
    const [a, b, c] = page().rows;
    insertDevice(app.store.db, a.id, 'laptop');
    expect(app.directory.setUsersActive([a.id, b.id], false)).toEqual({ changed: 2, unchanged: 0 });
    const after = page({ status: 'deactivated' }).rows;
    expect(names(after)).toEqual([a.username, b.username]);
    expect(after.every((u) => u.deactivatedBy === 'admin')).toBe(true);
    expect(after[0].activeDevices).toBe(0);
    // Already deactivated users count as unchanged; the third one changes.
    expect(app.directory.setUsersActive([a.id, b.id, c.id], false)).toEqual({ changed: 1, unchanged: 2 });
    expect(app.directory.setUsersActive([a.id, b.id, c.id], true)).toEqual({ changed: 3, unchanged: 0 });
    expect(page({ status: 'deactivated' }).total).toBe(0);
    expect(page().rows.find((u) => u.id === a.id)?.activeDevices).toBe(1);
  });

  it('changes nobody when one of the chosen users no longer exists, and says to reload', () => {
    const [a] = page().rows;
    const gone = '00000000-0000-4000-8000-000000000000';
    expect(() => app.directory.setUsersActive([a.id, gone], false)).toThrow(/no longer exists: nothing was changed. Reload/);
    expect(page().rows.find((u) => u.id === a.id)?.active).toBe(true);
  });

  it('keeps an admin deactivation of a bulk action through the next sync', async () => {
    const [a] = page().rows;
    app.directory.setUsersActive([a.id], false);
    const again = await app.sync.run({ serverId: corp.id, mode: 'sync', trigger: 'manual' });
    expect(again.status).toBe('applied');
    expect(page({ status: 'deactivated' }).rows.map((u) => u.id)).toEqual([a.id]);
  });

  it('is refused at the IPC boundary when the list of ids is empty or longer than a page', () => {
    const schema = contract['users.setActiveMany'].input;
    expect(schema.safeParse({ ids: [], active: false }).success).toBe(false);
    const many = Array.from({ length: 501 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    expect(schema.safeParse({ ids: many, active: false }).success).toBe(false);
    expect(schema.safeParse({ ids: many.slice(0, 500), active: true }).success).toBe(true);
  });

  it('is reachable through the handlers the window calls', async () => {
    const handlers = createHandlers(app);
    const ids = page().rows.slice(0, 3).map((u) => u.id);
    const out = await handlers['users.setActiveMany']({ ids, active: false }, { emit: () => {} } as never);
    expect(out).toEqual({ changed: 3, unchanged: 0 });
  });
});

describe('the users list filters by status and sorts by column', () => {
  it('shows active or deactivated users only, with totals that match', () => {
    const all = page();
    app.directory.setUsersActive(all.rows.slice(0, 4).map((u) => u.id), false);
    expect(page({ status: 'active' }).total).toBe(all.total - 4);
    expect(page({ status: 'deactivated' }).total).toBe(4);
    expect(page({ status: 'all' }).total).toBe(all.total);
  });

  it('sorts by username both ways, and puts deactivated users after active ones by status', () => {
    const up = names(page({ sort: 'username' }).rows);
    expect(names(page({ sort: 'username', descending: true }).rows)).toEqual([...up].reverse());
    const [x] = page().rows.slice(-1);
    app.directory.setUsersActive([x.id], false);
    const byStatus = page({ sort: 'status' }).rows;
    expect(byStatus[byStatus.length - 1].id).toBe(x.id);
    expect(page({ sort: 'status', descending: true }).rows[0].id).toBe(x.id);
  });

  it('sorts by email and by name in the same order as a plain comparison', () => {
    const rows = page({ sort: 'email' }).rows;
    const emails = rows.map((u) => (u.email ?? '').toLowerCase());
    expect(emails).toEqual([...emails].sort());
    const byName = page({ sort: 'name', descending: true }).rows.map((u) => [u.firstName, u.lastName].join(' ').toLowerCase());
    expect(byName).toEqual([...byName].sort().reverse());
  });

  it('lists only active or only deactivated users with ldap-sync users --status, as the app filters them', async () => {
    const [a, b] = page().rows;
    app.directory.setUsersActive([a.id, b.id], false);
    const cli = (args: string[]) => runCliInProcess([...args, '--db', join(t.dir, 'store.sqlite')], { cwd: t.dir, env: { PATH: process.env.PATH } });
    const off = await cli(['users', '--status', 'deactivated', '--json']);
    expect(off.code).toBe(0);
    expect((JSON.parse(off.stdout) as { username: string }[]).map((u) => u.username)).toEqual([a.username, b.username]);
    const on = await cli(['users', '--status', 'active', '--json']);
    expect((JSON.parse(on.stdout) as unknown[]).length).toBe(page().total - 2);
    const wrong = await cli(['users', '--status', 'gone']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('--status takes "active" or "deactivated"');
  });

  it('refuses a sort column it does not know at the IPC boundary', () => {
    const schema = contract['users.list'].input;
    expect(schema.safeParse({ query: { search: null, orgId: null, offset: 0, limit: 50, sort: 'password' } }).success).toBe(false);
  });
});

describe('built-in roles', () => {
  it('marks Desktop User and Org Admin as built in, and refuses to rename or delete them with the reason', () => {
    const roles = app.directory.listRoles();
    expect(roles.filter((r) => r.builtIn).map((r) => r.name).sort()).toEqual(['Desktop User', 'Org Admin']);
    const err = (() => {
      try {
        app.directory.renameRole(BUILT_IN_ROLE_IDS[0], { name: 'Staff' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/Desktop User is a built-in role and cannot be renamed/);
    expect(() => app.directory.deleteRole(BUILT_IN_ROLE_IDS[1])).toThrow(/cannot be deleted/);
    expect(app.directory.listRoles().map((r) => r.name)).toContain('Desktop User');
  });

  it('still renames and deletes roles an admin added', () => {
    const r = app.directory.createRole({ name: 'Auditor' });
    expect(r.builtIn).toBe(false);
    expect(app.directory.renameRole(r.id, { name: 'Auditors' }).name).toBe('Auditors');
    app.directory.deleteRole(r.id);
    expect(app.directory.listRoles().some((x) => x.id === r.id)).toBe(false);
  });
});

describe('the history chart', () => {
  it('gives each point its server, so a server that manages nobody does not pull the others to 0', async () => {
    const empty = await app.servers.create({ ...rigDraft(slapd), name: 'Nobody' }, { kind: 'env', name: 'SYNC_PW' });
    const r = await app.sync.run({ serverId: empty.id, mode: 'sync', trigger: 'manual' });
    expect(r.status).toBe('applied');
    const points = app.sync.chart(null);
    const corpPoints = points.filter((p) => p.serverId === corp.id);
    const emptyPoints = points.filter((p) => p.serverId === empty.id);
    expect(corpPoints.length).toBe(1);
    expect(corpPoints[0]).toMatchObject({ serverName: 'Corp', managed: 12, active: 12 });
    expect(emptyPoints).toEqual([expect.objectContaining({ serverName: 'Nobody', managed: 0, active: 0 })]);
    // Oldest first across servers; one server's chart has only its own points.
    expect(points.map((p) => p.at)).toEqual([...points.map((p) => p.at)].sort());
    expect(app.sync.chart(corp.id).every((p) => p.serverId === corp.id)).toBe(true);
  });
});

describe('a server tested and then saved', () => {
  let keyring: Keyring;
  let dir: string;
  let kapp: AppContext;
  beforeAll(async () => {
    keyring = await startKeyring();
  }, 60_000);
  afterAll(async () => {
    await keyring?.stop();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lss-lists-'));
    kapp = createAppContext({ dbPath: join(dir, 'store.sqlite'), keychain: new SecretToolKeychain({ ...process.env, ...keyring.env }) });
  });
  afterEach(async () => {
    kapp.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the passing test of a new server typed with its password, instead of "Not tested yet"', async () => {
    const draft = { ...rigDraft(slapd), name: 'Tested' };
    const password = { kind: 'value' as const, value: slapd.syncPw };
    const report = await kapp.servers.test({ draft, password });
    expect(report.bindable).toBe(true);
    const saved = await kapp.servers.create(draft, password);
    expect(saved.lastTest).toMatchObject({ reachable: true, bindable: true, matches: 12 });
  });

  it('does not take a test of other values or another password for the saved ones', async () => {
    const draft = { ...rigDraft(slapd), name: 'Other' };
    await kapp.servers.test({ draft: { ...draft, timeoutSeconds: draft.timeoutSeconds + 1 }, password: { kind: 'value', value: slapd.syncPw } });
    await kapp.servers.test({ draft, password: { kind: 'value', value: 'not the password' } });
    const saved = await kapp.servers.create(draft, { kind: 'value', value: slapd.syncPw });
    expect(saved.lastTest).toBeNull();
  });

  it('records the test of edited values when they are saved with the stored password', async () => {
    const saved = await kapp.servers.create({ ...rigDraft(slapd), name: 'Edited' }, { kind: 'value', value: slapd.syncPw });
    expect(saved.lastTest).toBeNull();
    const { id, password: _p, passwordClearedAt: _c, lastTest: _l, createdAt: _a, updatedAt: _u, ...draft } = saved;
    const edited = { ...draft, searchFilter: '(uid=?)', timeoutSeconds: draft.timeoutSeconds + 5 };
    await kapp.servers.test({ serverId: id, draft: edited, password: { kind: 'keep' } });
    const { server } = await kapp.servers.update(id, edited, { kind: 'keep' });
    expect(server.lastTest).toMatchObject({ reachable: true, bindable: true });
  });
});
