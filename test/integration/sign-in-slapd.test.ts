/**
 * Sign-in and registration against a real OpenLDAP (issue 14): the search with the username
 * escaped per RFC 4515 and exactly one match, the bind as the entry found, the scripts on a
 * registrant's entry, "Registrants not found" both ways, keys, local organizations, deactivated
 * users and devices. The password is never stored.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src-main/app-context';
import type { SignInInput, SignInResult } from '../../src-shared/domain/sign-in';
import type { OrganizationView } from '../../src-shared/domain/directory';
import type { ServerView } from '../../src-shared/domain/server';
import { run } from '../rig/exec';
import { addNestedGroups } from '../rig/nested-groups-data';
import { parseOpRecords, startSlapd, type Slapd } from '../rig/slapd';
import { openTestApp, rigDraft, type TestApp } from './preview-fixture';

let slapd: Slapd;
let t: TestApp;
let app: AppContext;
let server: ServerView;
let corp: OrganizationView;
let guests: OrganizationView;

const ACTIVE = `function(entry) { return entry.employeeType !== 'terminated'; }`;
const ORG = `function(entry) { return entry.departmentNumber === 'D-Sales' ? 'Sales' : null; }`;
const ROLE = `function(entry) { return entry.employeeType === 'admin' ? ['Org Admin'] : ['Desktop User']; }`;
const LOCAL_PASSWORD = 'a-local-password-42';

function person(uid: string, extra = '', rdn = `uid=${uid}`): string {
  return `dn: ${rdn},${slapd.baseDn}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${uid}\nsn: Person\ngivenName: Pat\nmail: ${uid.replace(/[^a-z0-9]/gi, '')}@example.com\nuserPassword: ${slapd.userPassword}\n${extra}`;
}

beforeAll(async () => {
  slapd = await startSlapd({ users: 5 });
  const entries = [
    // Filter characters in a username: only an escaped filter finds exactly this one.
    person('star*(user)'),
    person('starfish'),
    person('star-two'),
    // Two entries with one uid: exactly one must match.
    person('twin', '', 'cn=Twin One'),
    person('twin', '', 'cn=Twin Two'),
    person('leaver', 'employeeType: terminated\n'),
    person('seller', 'departmentNumber: D-Sales\nemployeeType: admin\n'),
    person('nomail').replace(/^mail: .*\n/m, ''),
  ];
  await run('ldapadd', ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw], { input: `${entries.join('\n')}\n` });
  await addNestedGroups(slapd);
}, 60_000);
afterAll(async () => {
  await t?.close();
  await slapd?.stop();
});

beforeEach(async () => {
  await t?.close();
  t = await openTestApp({ SYNC_PW: slapd.syncPw });
  app = t.app;
  server = await app.servers.create({ ...rigDraft(slapd), name: 'Corp', scripts: { active: ACTIVE, orgName: null, roleName: null } }, { kind: 'env', name: 'SYNC_PW' });
  corp = app.directory.createOrg({ name: 'Corp people', parentId: null, authServerId: server.id });
  guests = app.directory.createOrg({ name: 'Guests', parentId: null, authServerId: null });
});

const attempt = (over: Partial<SignInInput>): Promise<SignInResult> =>
  app.auth.signIn({ username: 'user00001', password: slapd.userPassword, registrationKey: null, register: true, device: null, ...over });
const register = (username: string, over: Partial<SignInInput> = {}) => attempt({ username, registrationKey: corp.registrationKey, ...over });
const step = (r: SignInResult, name: string) => r.steps.find((s) => s.name === name);

describe('sign-in against OpenLDAP', () => {
  it('registers a user with the key of an LDAP organization, then lets them sign in, showing each step and its time', async () => {
    const r = await register('user00001', { device: 'Laptop' });
    expect(r).toMatchObject({ allowed: true, code: 'OK', registered: true, user: { username: 'user00001', email: 'user00001@example.com', org: 'Corp people', active: true, source: 'Corp' } });
    expect(r.steps.map((s) => s.name)).toEqual(['organization', 'search', 'dn', 'bind', 'scripts', 'registration', 'outcome']);
    expect(step(r, 'search')?.detail).toContain("ldapsearch -x -H 'ldap://127.0.0.1:");
    expect(step(r, 'search')?.detail).toContain('(uid=user00001)');
    expect(step(r, 'dn')?.detail).toBe(slapd.userDn(1));
    expect(r.steps.every((s) => s.ms >= 0)).toBe(true);
    const stored = app.directory.findUser('user00001')!;
    expect(stored).toMatchObject({ orgName: 'Corp people', sourceServerName: 'Corp', sourceDn: slapd.userDn(1), directoryId: expect.stringMatching(/^entryUUID:/), devices: 1 });
    expect(app.localUsers.detail(stored.id).devices.map((d) => d.name)).toEqual(['Laptop']);

    const again = await attempt({ username: 'USER00001', device: 'Phone' });
    expect(again).toMatchObject({ allowed: true, code: 'OK', registered: true });
    expect(again.steps.map((s) => s.name)).toEqual(['organization', 'search', 'dn', 'bind', 'account', 'registration', 'outcome']);
    expect(app.localUsers.detail(stored.id).devices.map((d) => d.name)).toEqual(['Laptop', 'Phone']);
  });

  it('checks without recording when Register is off', async () => {
    const r = await register('user00002', { register: false, device: 'Laptop' });
    expect(r).toMatchObject({ allowed: true, code: 'OK', registered: false, user: { username: 'user00002', org: 'Corp people' } });
    expect(r.message).toMatch(/may register/);
    expect(app.directory.findUser('user00002')).toBeNull();
  });

  it('refuses a wrong password (the bind as the entry is refused) and records nothing', async () => {
    const r = await register('user00003', { password: 'not-the-password' });
    expect(r).toMatchObject({ allowed: false, code: 'INVALID_CREDENTIALS', registered: false });
    expect(step(r, 'bind')).toMatchObject({ ok: false });
    expect(app.directory.findUser('user00003')).toBeNull();
  });

  it('refuses an empty password before any bind (RFC 4513 5.1.2)', async () => {
    await register('user00004');
    const before = (await slapd.readOpLog()).length;
    const r = await attempt({ username: 'user00004', password: '' });
    expect(r).toMatchObject({ allowed: false, code: 'EMPTY_PASSWORD' });
    expect(r.steps.map((s) => s.name)).toEqual(['outcome']);
    const after = await slapd.readOpLog();
    expect(parseOpRecords(after.slice(before)).filter((o) => o.kind === 'BIND')).toEqual([]);
  });

  it('escapes filter characters in the username: "star*(user)" finds exactly its own entry, "star*" finds nothing', async () => {
    const r = await register('star*(user)');
    expect(r).toMatchObject({ allowed: true, code: 'OK', user: { username: 'star*(user)' } });
    expect(step(r, 'search')?.detail).toContain('(uid=star\\2a\\28user\\29)');
    expect(step(r, 'dn')?.detail).toBe(`uid=star*(user),${slapd.baseDn}`);
    const wildcard = await register('star*');
    expect(wildcard).toMatchObject({ allowed: false, code: 'REGISTRATION_DENIED' });
    expect(step(wildcard, 'search')?.detail).toMatch(/no entry/);
  });

  it('shows an ldapsearch line that finds the same entry in a terminal (escaped filter included)', async () => {
    const r = await register('star*(user)', { register: false });
    const line = step(r, 'search')!.detail.split('\n')[1];
    expect(line).toMatch(/^ldapsearch -x -H /);
    // -W prompts for the bind password; a script gives it with -w instead.
    const { stdout } = await run('sh', ['-c', line.replace(' -W ', ` -w '${slapd.syncPw}' `)]);
    expect(stdout).toContain(`dn: uid=star*(user),${slapd.baseDn}`);
    expect(stdout.match(/^dn: /gm)).toHaveLength(1);
  });

  it('refuses a username two entries have, naming the count', async () => {
    const r = await register('twin');
    expect(r).toMatchObject({ allowed: false, code: 'AMBIGUOUS' });
    expect(r.message).toMatch(/found 2 entries for "twin"/);
  });

  it('refuses a deactivated user, saying whether an admin or a sync did it', async () => {
    await register('user00005');
    const u = app.directory.findUser('user00005')!;
    app.directory.setUserActive(u.id, false);
    const r = await attempt({ username: 'user00005' });
    expect(r).toMatchObject({ allowed: false, code: 'DEACTIVATED', user: { active: false } });
    expect(r.message).toMatch(/deactivated by an admin/);
    // The password is checked first: a wrong one says nothing about the account.
    expect(await attempt({ username: 'user00005', password: 'wrong-password' })).toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('refuses a known username that another entry has now (a new directory ID), even with its password', async () => {
    await register('starfish');
    const dn = `uid=starfish,${slapd.baseDn}`;
    const ldap = (tool: string, input: string) => run(tool, ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw], { input });
    await ldap('ldapdelete', `${dn}\n`);
    await ldap('ldapadd', `${person('starfish')}\n`);
    const r = await attempt({ username: 'starfish' });
    expect(r).toMatchObject({ allowed: false, code: 'OTHER_ENTRY' });
    expect(r.message).toMatch(/users relink starfish/);
  });

  it('refuses a registrant the Active script calls inactive, and says so', async () => {
    const r = await register('leaver');
    expect(r).toMatchObject({ allowed: false, code: 'INACTIVE_IN_DIRECTORY', registered: false });
    expect(step(r, 'scripts')?.detail).toMatch(/Active: false/);
  });

  it('places a registrant in the organization the Org name script names, with the Role name script\'s roles', async () => {
    const sales = app.directory.createOrg({ name: 'Sales', parentId: null, authServerId: server.id });
    await app.servers.update(server.id, { ...rigDraft(slapd), name: 'Corp', scripts: { active: ACTIVE, orgName: ORG, roleName: ROLE } }, { kind: 'keep' });
    const r = await register('seller');
    expect(r).toMatchObject({ allowed: true, user: { org: sales.name, roles: ['Org Admin'] } });
    expect(app.directory.findUser('seller')).toMatchObject({ orgName: 'Sales', roles: ['Org Admin'] });
    // No Org name answer: the key's organization.
    expect(await register('user00001')).toMatchObject({ allowed: true, user: { org: 'Corp people', roles: ['Desktop User'] } });
  });

  it('gives a registrant the roles of nested groups when the Role name script uses the groups helpers', async () => {
    app.directory.createRole({ name: 'Outer' });
    const role = `function(entry) { return groups.isMember(entry, 'cn=outer,ou=groups,dc=example,dc=com') ? ['Outer'] : []; }`;
    await app.servers.update(server.id, rigDraft(slapd, { name: 'Corp', scripts: { active: ACTIVE, orgName: null, roleName: role } }, slapd.suffix), { kind: 'keep' });
    // user00003 is in inner, which is in middle, which is in outer.
    expect(await register('user00003')).toMatchObject({ allowed: true, user: { roles: ['Outer'] } });
    expect(await register('user00005')).toMatchObject({ allowed: true, user: { roles: [] } });
  });

  it('follows "Registrants not found": deny refuses, placeInOrg adds them to the local organization with this password', async () => {
    const denied = await register('nobody-here', { password: LOCAL_PASSWORD });
    expect(denied).toMatchObject({ allowed: false, code: 'REGISTRATION_DENIED' });
    expect(denied.message).toMatch(/set to deny/);

    app.sync.saveSettings({ ...app.sync.settings(), registrantsNotFound: { action: 'placeInOrg', org: 'Guests' } });
    const short = await register('nobody-here', { password: 'short' });
    expect(short).toMatchObject({ allowed: false, code: 'REGISTRATION_DENIED' });
    expect(short.message).toMatch(/at least 12 characters/);
    const placed = await register('nobody-here', { password: LOCAL_PASSWORD });
    expect(placed).toMatchObject({ allowed: true, code: 'OK', registered: true, user: { org: 'Guests', source: 'local' } });
    // From now on they sign in with that local password; the directory is not asked.
    expect(await attempt({ username: 'nobody-here', password: LOCAL_PASSWORD })).toMatchObject({ allowed: true, code: 'OK' });
    expect(await attempt({ username: 'nobody-here', password: 'another-password' })).toMatchObject({ allowed: false, code: 'INVALID_CREDENTIALS' });
  });

  it('refuses a key that belongs to no organization, and the old key after a rotation', async () => {
    expect(await attempt({ username: 'user00002', registrationKey: 'no-such-key' })).toMatchObject({ allowed: false, code: 'UNKNOWN_REGISTRATION_KEY' });
    const old = corp.registrationKey;
    const rotated = app.localUsers.rotateKey(corp.id);
    expect(rotated.registrationKey).not.toBe(old);
    expect(await attempt({ username: 'user00002', registrationKey: old })).toMatchObject({ code: 'UNKNOWN_REGISTRATION_KEY' });
    expect(await attempt({ username: 'user00002', registrationKey: rotated.registrationKey })).toMatchObject({ code: 'OK' });
  });

  it('never consults the directory for a key of a local organization', async () => {
    const before = (await slapd.readOpLog()).length;
    const r = await attempt({ username: 'user00003', registrationKey: guests.registrationKey, password: LOCAL_PASSWORD });
    expect(r).toMatchObject({ allowed: true, code: 'OK', user: { org: 'Guests', source: 'local' } });
    expect(r.steps.map((s) => s.name)).toEqual(['organization', 'local password', 'registration', 'outcome']);
    expect((await slapd.readOpLog()).slice(before)).toEqual([]);
  });

  it('refuses a registrant whose entry has no email (a new user needs one)', async () => {
    expect(await register('nomail')).toMatchObject({ allowed: false, code: 'REGISTRATION_DENIED', message: expect.stringMatching(/no "mail" value/) });
  });

  it('says the directory is unavailable when it is, and decides nothing', async () => {
    await app.servers.update(server.id, { ...rigDraft(slapd), url: `ldap://127.0.0.1:1/${slapd.baseDn}`, name: 'Corp' }, { kind: 'keep' });
    const r = await register('user00001');
    expect(r).toMatchObject({ allowed: false, code: 'DIRECTORY_UNAVAILABLE' });
  });

  it('stores no password anywhere in the store (directory or local)', async () => {
    await register('user00001');
    await attempt({ username: 'user00002', registrationKey: guests.registrationKey, password: LOCAL_PASSWORD });
    const bytes = await t.storeBytes();
    expect(bytes.includes(slapd.userPassword)).toBe(false);
    expect(bytes.includes(LOCAL_PASSWORD)).toBe(false);
  });
});
