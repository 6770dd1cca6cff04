/**
 * The sync engine against a real slapd: the directory is changed between runs with ldapmodify /
 * ldapdelete / ldapadd (as the rootdn), and each test asserts the exact outcome in the store.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src-main/app-context';
import { insertDevice, insertUser } from '../../src-main/store/users-repo';
import { findOrganizationByName } from '../../src-main/store/organizations-repo';
import { findRoleByName } from '../../src-main/store/roles-repo';
import type { ServerView } from '../../src-shared/domain/server';
import type { RunSummary } from '../../src-shared/domain/sync';
import { run } from '../rig/exec';
import { startSlapd, type Slapd } from '../rig/slapd';
import { openTestApp, rigDraft, type TestApp } from './preview-fixture';

let slapd: Slapd;
let t: TestApp;
let app: AppContext;
let server: ServerView;

const ACTIVE = `function(entry) { return entry.employeeType !== 'terminated'; }`;
const ORG = `function(entry) { return 'Dept ' + entry.departmentNumber; }`;
const ROLE = `function(entry) { return entry.employeeType === 'admin' ? ['Desktop User', 'Org Admin'] : ['Desktop User']; }`;

async function ldap(tool: 'ldapmodify' | 'ldapadd' | 'ldapdelete', input: string, args: string[] = []): Promise<void> {
  await run(tool, ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw, ...args], { input });
}

const uidDn = (uid: string) => `uid=${uid},${slapd.baseDn}`;

function user(username: string) {
  const u = app.directory.findUser(username);
  if (!u) throw new Error(`no user ${username}`);
  return u;
}

async function sync(): Promise<RunSummary> {
  const r = await app.sync.run({ serverId: server.id, mode: 'sync', trigger: 'manual' });
  if (r.status !== 'applied') throw new Error(`sync ${r.status}: ${r.error?.message ?? r.heldReason}`);
  return r;
}

const devicesOf = (userId: string) =>
  app.store.db.prepare(`SELECT active, deactivated_by AS by FROM devices WHERE user_id = ? ORDER BY name`).all(userId) as { active: number; by: string | null }[];

beforeAll(async () => {
  slapd = await startSlapd({ users: 20, logOps: false, extras: true });
}, 60_000);
afterAll(async () => {
  await slapd?.stop();
});

beforeEach(async () => {
  await t?.close();
  t = await openTestApp({ SYNC_PW: slapd.syncPw });
  app = t.app;
  server = await app.servers.create(
    { ...rigDraft(slapd), name: 'Corp', scripts: { active: ACTIVE, orgName: ORG, roleName: ROLE }, createUsers: true },
    { kind: 'env', name: 'SYNC_PW' },
  );
  for (let d = 100; d < 110; d++) app.directory.createOrg({ name: `Dept D${d}`, parentId: null, authServerId: server.id });
  // The deactivation limits are exercised by the fault tests: here every plan applies.
  app.sync.saveSettings({ ...app.sync.settings(), deactivationLimit: { percent: 100, count: 1_000_000, dropPercent: 100 } });
});
afterAll(async () => {
  await t?.close();
});

describe('sync semantics against a real slapd', () => {
  it('creates users with createUsers, placed and given roles by the scripts, then a re-sync changes nothing', async () => {
    const first = await sync();
    expect(first.counts.created).toBe(20);
    expect(first.counts.errors).toBe(0);
    const u = user('user00003');
    expect(u).toMatchObject({ email: 'user00003@example.com', orgName: 'Dept D103', roles: ['Desktop User'], active: true, sourceServerName: 'Corp', sourceDn: uidDn('user00003') });
    expect(u.directoryId).toMatch(/^entryUUID:[0-9a-f-]{36}$/);
    const again = await sync();
    expect(again.counts).toEqual({ deactivated: 0, reactivated: 0, created: 0, moved: 0, rolesChanged: 0, updated: 0, dnChanged: 0, reused: 0, errors: 0 });
    expect(again.managedAfter).toBe(20);
  });

  it('deactivates a terminated employee together with their devices', async () => {
    await sync();
    const id = user('user00004').id;
    insertDevice(app.store.db, id, 'laptop');
    insertDevice(app.store.db, id, 'phone');
    await ldap('ldapmodify', `dn: ${uidDn('user00004')}\nchangetype: modify\nreplace: employeeType\nemployeeType: terminated\n`);
    const r = await sync();
    expect(r.counts.deactivated).toBe(1);
    const changes = [...app.sync.allChanges(r.id)];
    expect(changes).toEqual([expect.objectContaining({ username: 'user00004', action: 'deactivate', reason: 'Active script returned false' })]);
    expect(user('user00004')).toMatchObject({ active: false, deactivatedBy: 'sync', deactivatedReason: 'Active script returned false' });
    expect(devicesOf(id)).toEqual([
      { active: 0, by: 'user' },
      { active: 0, by: 'user' },
    ]);
    await ldap('ldapmodify', `dn: ${uidDn('user00004')}\nchangetype: modify\nreplace: employeeType\nemployeeType: staff\n`);
    const back = await sync();
    expect(back.counts.reactivated).toBe(1);
    expect(user('user00004').active).toBe(true);
    expect(devicesOf(id).map((d) => d.active)).toEqual([1, 1]);
  });

  it('deactivates a deleted entry; re-created (a new entryUUID) it does not get the account back until an admin relinks it', async () => {
    const first = await sync();
    const before = user('user00005');
    const ldif = (await run('ldapsearch', ['-x', '-LLL', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw, '-b', uidDn('user00005'), '-s', 'base', '(objectClass=*)'])).stdout;
    await ldap('ldapdelete', '', [uidDn('user00005')]);
    const gone = await sync();
    expect([...app.sync.allChanges(gone.id)]).toEqual([expect.objectContaining({ username: 'user00005', action: 'deactivate', reason: 'Not returned by the search' })]);
    expect(user('user00005')).toMatchObject({ active: false, deactivatedBy: 'sync' });
    // Last seen: the missing user at the sync that last returned them; the others at the latest sync.
    expect(user('user00005').lastSeenAt).toBe(first.startedAt);
    expect(user('user00006').lastSeenAt).toBe(gone.startedAt);
    expect(user('user00006').firstSeenAt).toBe(first.startedAt);
    await ldap('ldapadd', ldif);
    // The re-created entry has a new entryUUID: a reused username, never a silent takeover.
    const reused = await sync();
    expect(reused.counts).toMatchObject({ reused: 1, reactivated: 0, created: 0 });
    expect(user('user00005')).toMatchObject({ id: before.id, active: false, directoryId: before.directoryId });
    // The admin says it is the same person: the next sync gives the account to the new entry.
    expect(app.directory.relinkUser(before.id)).toBe(true);
    const back = await sync();
    expect(back.counts).toMatchObject({ reactivated: 1, created: 0, reused: 0 });
    const after = user('user00005');
    expect(after.id).toBe(before.id);
    expect(after.active).toBe(true);
    expect(after.lastSeenAt).toBe(back.startedAt);
    expect(after.directoryId).not.toBe(before.directoryId);
    // Four syncs and four directory writes: room for a busy machine.
  }, 120_000);

  it('moves a user whose department changed, and applies a role change', async () => {
    await sync();
    await ldap(
      'ldapmodify',
      `dn: ${uidDn('user00006')}\nchangetype: modify\nreplace: departmentNumber\ndepartmentNumber: D101\n\ndn: ${uidDn('user00007')}\nchangetype: modify\nreplace: employeeType\nemployeeType: admin\n`,
    );
    const r = await sync();
    expect(r.counts).toMatchObject({ moved: 1, rolesChanged: 1, deactivated: 0 });
    const changes = [...app.sync.allChanges(r.id)];
    expect(changes).toContainEqual(expect.objectContaining({ username: 'user00006', action: 'move', from: 'Dept D106', to: 'Dept D101' }));
    expect(changes).toContainEqual(expect.objectContaining({ username: 'user00007', action: 'roles', from: 'Desktop User', to: 'Desktop User, Org Admin', reason: 'added Org Admin' }));
    expect(user('user00006').orgName).toBe('Dept D101');
    expect(user('user00007').roles).toEqual(['Desktop User', 'Org Admin']);
    await ldap(
      'ldapmodify',
      `dn: ${uidDn('user00006')}\nchangetype: modify\nreplace: departmentNumber\ndepartmentNumber: D106\n\ndn: ${uidDn('user00007')}\nchangetype: modify\nreplace: employeeType\nemployeeType: contractor\n`,
    );
  });

  it('reports an unknown organization as an error and leaves the user where they are', async () => {
    await sync();
    await ldap('ldapmodify', `dn: ${uidDn('user00008')}\nchangetype: modify\nreplace: departmentNumber\ndepartmentNumber: D999\n`);
    const r = await sync();
    expect(r.counts).toMatchObject({ moved: 0, errors: 1 });
    const [c] = [...app.sync.allChanges(r.id)];
    expect(c).toMatchObject({ username: 'user00008', action: 'error' });
    expect(c.reason).toContain('"Dept D999"');
    expect(user('user00008').orgName).toBe('Dept D108');
    await ldap('ldapmodify', `dn: ${uidDn('user00008')}\nchangetype: modify\nreplace: departmentNumber\ndepartmentNumber: D108\n`);
  });

  it('respects a manual deactivation: the sync never reactivates it', async () => {
    await sync();
    const u = user('user00009');
    expect(app.directory.setUserActive(u.id, false)).toBe(true);
    const r = await sync();
    expect(r.counts.reactivated).toBe(0);
    expect(user('user00009')).toMatchObject({ active: false, deactivatedBy: 'admin' });
  });

  it('gives one user per value of a multi-valued username attribute (mail)', async () => {
    const mailServer = await app.servers.create(
      { ...rigDraft(slapd, {}, slapd.extrasDn), name: 'Mail', searchFilter: '(&(objectClass=inetOrgPerson)(mail=?))', createUsers: true },
      { kind: 'env', name: 'SYNC_PW' },
    );
    const org = app.directory.createOrg({ name: 'Mail users', parentId: null, authServerId: mailServer.id });
    await app.servers.update(mailServer.id, { ...rigDraft(slapd, {}, slapd.extrasDn), name: 'Mail', searchFilter: '(&(objectClass=inetOrgPerson)(mail=?))', createUsers: true, defaultOrgId: org.id }, { kind: 'keep' });
    const r = await app.sync.run({ serverId: mailServer.id, mode: 'sync', trigger: 'manual' });
    expect(r.error).toBeNull();
    expect(r.status).toBe('applied');
    const changes = [...app.sync.allChanges(r.id)];
    const created = changes.filter((c) => c.action === 'create').map((c) => c.username).sort();
    // multi has three mails; "shared" repeats multi's first one: a duplicate, reported for both entries.
    expect(created).toEqual(['multi.three@example.org', 'multi.two@example.org', 'two@example.org']);
    const dups = changes.filter((c) => c.action === 'error' && c.username === 'multi.one@example.org');
    expect(dups).toHaveLength(2);
    // (mail=*) does not match the entry without mail: it gives no user and no error.
    expect(changes.some((c) => c.dn?.startsWith('uid=nomail,'))).toBe(false);
    const a = user('multi.two@example.org');
    const b = user('multi.three@example.org');
    expect(a.directoryId).toBe(b.directoryId);
    expect(a.id).not.toBe(b.id);
  });

  it('keeps the same user through a rename (modrdn), matched by entryUUID', async () => {
    await sync();
    const before = user('user00010');
    await ldap('ldapmodify', `dn: ${uidDn('user00010')}\nchangetype: modrdn\nnewrdn: uid=user00010b\ndeleteoldrdn: 1\n`);
    const r = await sync();
    expect(r.counts).toMatchObject({ updated: 1, dnChanged: 1, created: 0, deactivated: 0 });
    expect([...app.sync.allChanges(r.id)]).toEqual([
      expect.objectContaining({ username: 'user00010', action: 'dn', from: uidDn('user00010'), to: uidDn('user00010b') }),
      expect.objectContaining({ username: 'user00010', action: 'update', from: 'username: user00010', to: 'username: user00010b' }),
    ]);
    const after = user('user00010b');
    expect(after.id).toBe(before.id);
    expect(after.sourceDn).toBe(uidDn('user00010b'));
    expect(app.directory.findUser('user00010')).toBeNull();
    await ldap('ldapmodify', `dn: ${uidDn('user00010b')}\nchangetype: modrdn\nnewrdn: uid=user00010\ndeleteoldrdn: 1\n`);
  });

  it('never touches users of local organizations, and does not create over them', async () => {
    const local = app.directory.createOrg({ name: 'Local', parentId: null, authServerId: null });
    insertUser(app.store.db, { username: 'user00011', orgId: local.id, email: 'keep@local' });
    const r = await sync();
    expect([...app.sync.allChanges(r.id)]).toContainEqual(expect.objectContaining({ username: 'user00011', action: 'error' }));
    expect(user('user00011')).toMatchObject({ orgName: 'Local', email: 'keep@local', active: true, sourceServerId: null });
    expect(r.counts.created).toBe(19);
  });

  it('simulate applies nothing and keeps the full plan in history', async () => {
    const sim = await app.sync.run({ serverId: server.id, mode: 'simulate', trigger: 'manual' });
    expect(sim.status).toBe('simulated');
    expect(sim.counts.created).toBe(20);
    expect(app.directory.listUsers({ search: null, orgId: null, offset: 0, limit: 10 }).total).toBe(0);
    const page = app.sync.changes({ runId: sim.id, filter: 'create', search: 'user0001', offset: 0, limit: 50 });
    expect(page.total).toBe(10); // user00010..user00019
    expect(page.byAction.create).toBe(20);
    const csv = app.sync.exportRun(sim.id, 'csv').text.split('\r\n');
    expect(csv[0]).toBe('seq,username,action,from,to,reason,dn');
    expect(csv).toHaveLength(22);
    const json = JSON.parse(app.sync.exportRun(sim.id, 'json').text);
    expect(json.run.id).toBe(sim.id);
    expect(json.changes).toHaveLength(20);
    expect(findOrganizationByName(app.store.db, 'dept d100')).toBeDefined();
    expect(findRoleByName(app.store.db, 'ORG ADMIN')).toBeDefined();
  });
});
