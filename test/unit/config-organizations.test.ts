import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyConfig, type ApplyResult } from '../../src-main/config/apply';
import { exportConfig } from '../../src-main/config/export';
import { parseConfig } from '../../src-main/config/parse-config';
import { openStore, type Store } from '../../src-main/store/db';
import { insertOrganization, listOrganizations } from '../../src-main/store/organizations-repo';
import { listRoles } from '../../src-main/store/roles-repo';
import { readSyncSettings } from '../../src-main/store/settings-repo';
import { findServerByName, listServers } from '../../src-main/store/servers-repo';
import { DEFAULT_SYNC_SETTINGS } from '../../src-shared/domain/sync';
import { AppError, type FieldIssue } from '../../src-shared/errors';

const URL = 'ldap://127.0.0.1:3890/ou=people,dc=example,dc=com';
const FILTER = '(&(objectClass=inetOrgPerson)(uid=?))';
const server = (extra: Record<string, unknown> = {}) => ({ name: 'Corp', url: URL, bindDn: 'cn=sync,dc=example,dc=com', searchFilter: FILTER, ...extra });

let dir: string;
let stores: Store[];
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-config-orgs-'));
  stores = [];
  store = open('store.sqlite');
});
afterEach(async () => {
  for (const s of stores) s.close();
  await rm(dir, { recursive: true, force: true });
});

function open(name: string): Store {
  const s = openStore(path.join(dir, name));
  stores.push(s);
  return s;
}

function apply(doc: unknown, opts: { dryRun?: boolean; into?: Store } = {}): ApplyResult {
  const r = parseConfig(JSON.stringify(doc), { baseDir: dir });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return applyConfig((opts.into ?? store).db, r.config, { dryRun: opts.dryRun });
}

/** The problems of a file apply refuses, by path. */
function refused(doc: unknown): Record<string, string> {
  try {
    apply(doc);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/^The config file has \d+ problems?; nothing was applied\.$/);
    return Object.fromEntries(((err as AppError).fields ?? []).map((f: FieldIssue) => [f.path, f.message]));
  }
  throw new Error('expected the file to be refused');
}

/** The problems parsing finds, by path. */
function parseIssues(doc: unknown): Record<string, string> {
  const r = parseConfig(JSON.stringify(doc), { baseDir: dir });
  if (r.ok) throw new Error('expected the file to be refused');
  return Object.fromEntries(r.issues.map((i) => [i.path, i.message]));
}

/** Organizations as names: { name: [parent, sign-in server] }. */
function orgs(s: Store = store): Record<string, [string | null, string | null]> {
  const rows = listOrganizations(s.db);
  const name = new Map(rows.map((r) => [r.id, r.name]));
  const servers = new Map(listServers(s.db).map((r) => [r.id, r.name]));
  return Object.fromEntries(rows.map((r) => [r.name, [r.parentId && name.get(r.parentId)!, r.authServerId && servers.get(r.authServerId)!]]));
}

/** Everything config apply writes, as plain data. */
function snapshot(s: Store = store) {
  return { servers: listServers(s.db), orgs: listOrganizations(s.db), roles: listRoles(s.db), sync: readSyncSettings(s.db) };
}

const FULL = {
  servers: [server({ createUsers: true, defaultOrg: 'Staff' })],
  // Children before parents, and an organization signing in with a server of the same file.
  organizations: [
    { name: 'Sales', parent: 'Staff', auth: { ldapServer: 'Corp' } },
    { name: 'Staff', auth: { ldapServer: 'corp' } },
    { name: 'Guests', parent: null, auth: 'local' },
  ],
  roles: ['Auditor', 'desktop user'],
  sync: {
    every: '30m',
    deactivationLimit: { percent: 5, count: 100, dropPercent: 20 },
    registrantsNotFound: { action: 'placeInOrg', org: 'guests' },
  },
};

describe('config apply: organizations, roles, sync settings and server options', () => {
  it('creates organizations (parents first), roles, settings, and sets the default organization created by the same file', () => {
    const r = apply(FULL);
    expect(r).toEqual({
      dryRun: false,
      servers: [{ name: 'Corp', action: 'created', passwordCleared: false }],
      organizations: [
        { name: 'Sales', action: 'created' },
        { name: 'Staff', action: 'created' },
        { name: 'Guests', action: 'created' },
      ],
      // "desktop user" is the seeded "Desktop User", spelt as the file spells it.
      roles: [
        { name: 'Auditor', action: 'created' },
        { name: 'desktop user', action: 'updated' },
      ],
      sync: 'updated',
      releasedKeychainAccounts: [],
    });
    expect(orgs()).toEqual({ Guests: [null, null], Sales: ['Staff', 'Corp'], Staff: [null, 'Corp'] });
    const corp = findServerByName(store.db, 'Corp')!;
    expect(corp.createUsers).toBe(true);
    expect(corp.defaultOrgId).toBe(listOrganizations(store.db).find((o) => o.name === 'Staff')!.id);
    expect(listRoles(store.db).map((x) => x.name)).toEqual(['Auditor', 'desktop user', 'Org Admin']);
    expect(readSyncSettings(store.db)).toEqual({
      every: '30m',
      deactivationLimit: { percent: 5, count: 100, dropPercent: 20 },
      registrantsNotFound: { action: 'placeInOrg', org: 'guests' },
    });
  });

  it('reports everything unchanged when the same file is applied again', () => {
    apply(FULL);
    const before = snapshot();
    const r = apply(FULL);
    expect(r.servers.map((s) => s.action)).toEqual(['unchanged']);
    expect(r.organizations!.map((o) => o.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(r.roles!.map((o) => o.action)).toEqual(['unchanged', 'unchanged']);
    expect(r.sync).toBe('unchanged');
    expect(snapshot()).toEqual(before);
  });

  it('updates organizations matched ignoring case and never deletes the ones the file leaves out', () => {
    apply(FULL);
    const staffId = listOrganizations(store.db).find((o) => o.name === 'Staff')!.id;
    const r = apply({ organizations: [{ name: 'STAFF', parent: 'Guests', auth: 'local' }] });
    expect(r).toEqual({ dryRun: false, servers: [], organizations: [{ name: 'STAFF', action: 'updated' }], releasedKeychainAccounts: [] });
    expect(orgs()).toEqual({ Guests: [null, null], Sales: ['STAFF', 'Corp'], STAFF: ['Guests', null] });
    expect(listOrganizations(store.db).find((o) => o.name === 'STAFF')!.id).toBe(staffId);
    // Keys the file does not have are left alone: the server, the roles and the settings.
    expect(findServerByName(store.db, 'Corp')!.defaultOrgId).toBe(staffId);
    expect(readSyncSettings(store.db).every).toBe('30m');
  });

  it('gives omitted settings their defaults, each key on its own, and clears a default organization the file leaves out', () => {
    apply(FULL);
    const r = apply({ servers: [server()], sync: { deactivationLimit: { count: 7 } } });
    expect(r.servers[0].action).toBe('updated');
    expect(r.sync).toBe('updated');
    expect(readSyncSettings(store.db)).toEqual({ ...DEFAULT_SYNC_SETTINGS, deactivationLimit: { ...DEFAULT_SYNC_SETTINGS.deactivationLimit, count: 7 } });
    expect(findServerByName(store.db, 'Corp')).toMatchObject({ createUsers: false, defaultOrgId: null });
  });

  it('refuses names that exist neither in the file nor in the store, each at its path, writing nothing', () => {
    apply({ servers: [server()] });
    const before = snapshot();
    expect(
      refused({
        servers: [server({ name: 'Branch', defaultOrg: 'Nowhere' })],
        organizations: [
          { name: 'A', parent: 'Ghost', auth: 'local' },
          { name: 'B', auth: { ldapServer: 'Missing' } },
          { name: 'C', auth: { ldapServer: 'Branch' } },
        ],
        sync: { registrantsNotFound: { action: 'placeInOrg', org: 'Limbo' } },
      }),
    ).toEqual({
      'servers[0].defaultOrg': 'no organization named "Nowhere" in this file or the store; add it to "organizations" or create it in the app',
      'organizations[0].parent': 'no organization named "Ghost" in this file or the store; add it to "organizations" or create it in the app',
      'organizations[1].auth.ldapServer': 'no LDAP server named "Missing" in this file or the store; add it to "servers" or create it in the app',
      'sync.registrantsNotFound.org': 'no organization named "Limbo" in this file or the store; add it to "organizations" or create it in the app',
    });
    expect(snapshot()).toEqual(before);
  });

  it('refuses parent cycles, within the file and through organizations of the store', () => {
    expect(
      refused({
        organizations: [
          { name: 'A', parent: 'B', auth: 'local' },
          { name: 'B', parent: 'C', auth: 'local' },
          { name: 'C', parent: 'A', auth: 'local' },
        ],
      }),
    ).toEqual({ 'organizations[0].parent': '"A" → "B" → "C" → "A" is a cycle: an organization cannot be inside itself or one of its sub-organizations' });

    const top = insertOrganization(store.db, { name: 'Top' });
    insertOrganization(store.db, { name: 'Child', parentId: top.id });
    const before = snapshot();
    expect(refused({ organizations: [{ name: 'top', parent: 'Child', auth: 'local' }] })).toEqual({
      'organizations[0].parent': '"top" → "Child" → "top" is a cycle: an organization cannot be inside itself or one of its sub-organizations',
    });
    expect(snapshot()).toEqual(before);
    // Swapping parent and child in one file is fine: the final tree has no cycle.
    apply({ organizations: [{ name: 'Child', parent: null, auth: 'local' }, { name: 'Top', parent: 'Child', auth: 'local' }] });
    expect(orgs()).toEqual({ Child: [null, null], Top: ['Child', null] });
  });

  it('places registrants not found only in an organization that signs in locally after the apply', () => {
    apply(FULL);
    expect(refused({ sync: { registrantsNotFound: { action: 'placeInOrg', org: 'Sales' } } })).toEqual({
      'sync.registrantsNotFound.org': '"Sales" signs in with an LDAP server; people the directory does not find can only be placed in an organization with local sign-in ("auth": "local")',
    });
    // The same file may switch the organization to local sign-in.
    const r = apply({ organizations: [{ name: 'Sales', parent: 'Staff', auth: 'local' }], sync: { registrantsNotFound: { action: 'placeInOrg', org: 'Sales' } } });
    expect(r.sync).toBe('updated');
    expect(readSyncSettings(store.db).registrantsNotFound).toEqual({ action: 'placeInOrg', org: 'Sales' });
  });

  it('reports what a dry run would do and writes nothing', () => {
    const before = snapshot();
    const r = apply(FULL, { dryRun: true });
    expect(r.organizations!.map((o) => o.action)).toEqual(['created', 'created', 'created']);
    expect(r.sync).toBe('updated');
    expect(snapshot()).toEqual(before);
  });

  it('rolls everything back when writing an organization fails after the server was written', () => {
    const before = snapshot();
    store.db.exec(`CREATE TEMP TRIGGER refuse_guests BEFORE INSERT ON organizations WHEN NEW.name = 'Guests' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`);
    expect(() => apply(FULL)).toThrow('refused by test trigger');
    expect(snapshot()).toEqual(before);
  });

  it('checks the shape of organizations, roles and sync with JSON paths', () => {
    expect(
      parseIssues({
        organizations: [
          { name: 'A', auth: 'ldap' },
          { name: ' a ', auth: { ldapServer: '' } },
          { name: 'B', parent: 'b', auth: 'local', prent: 'x' },
          { name: 'C' },
          'D',
        ],
        roles: ['Auditor', ' auditor ', '', 7],
        sync: { every: '2m', deactivationLimit: { percent: 150, count: 1.5 }, registrantsNotFound: { action: 'placeInOrg' }, evry: '1h' },
      }),
    ).toEqual({
      'organizations[0].auth': 'must be "local" (the users sign in with a local password) or { "ldapServer": NAME } (they sign in with that LDAP server)',
      'organizations[1].name': '"a" is already the name of organizations[0] (names are compared ignoring case)',
      'organizations[1].auth.ldapServer': 'must not be empty',
      'organizations[2].parent': '"b" cannot be its own parent',
      'organizations[2].prent': 'unknown key (did you mean "parent"?)',
      'organizations[3].auth': 'is required: "local" (the users sign in with a local password) or { "ldapServer": NAME } (they sign in with that LDAP server)',
      'organizations[4]': 'must be an object like { "name": "Sales", "auth": "local" }',
      'roles[1]': '"auditor" is already roles[0] (names are compared ignoring case)',
      'roles[2]': 'must not be empty',
      'roles[3]': 'must be a role name, not a whole number',
      'sync.every': '"2m": the shortest schedule is every 5 minutes',
      'sync.deactivationLimit.percent': 'must be at most 100',
      'sync.deactivationLimit.count': 'must be a whole number, not a number',
      'sync.registrantsNotFound.org': 'is required (the name of an organization)',
      'sync.evry': 'unknown key (did you mean "every"?)',
    });
    expect(parseIssues({ sync: { every: 'daily', registrantsNotFound: { action: 'allow' } } })).toEqual({
      'sync.every': '"daily": use never or a number with m, h or d, e.g. 30m, 12h, 1d',
      'sync.registrantsNotFound.action': 'must be "deny" (refuse the sign-in) or "placeInOrg" (create the user in a local organization)',
    });
    expect(parseIssues({ servers: [server({ createUsers: 'yes', defaultOrg: 3 })] })).toEqual({
      'servers[0].createUsers': 'must be true or false, not a string',
      'servers[0].defaultOrg': 'must be a string, not a whole number',
    });
  });
});

describe('config export with organizations, roles and sync settings', () => {
  it('round-trips into a fresh store, and changes nothing applied back onto its own store', () => {
    apply(FULL);
    apply({ organizations: [{ name: 'Branch Office', parent: 'Sales', auth: { ldapServer: 'Corp' } }], roles: ['Viewer'] });
    const exported = exportConfig(store.db).config;
    expect(exported.organizations).toEqual([
      { name: 'Branch Office', parent: 'Sales', auth: { ldapServer: 'Corp' } },
      { name: 'Guests', parent: null, auth: 'local' },
      { name: 'Sales', parent: 'Staff', auth: { ldapServer: 'Corp' } },
      { name: 'Staff', parent: null, auth: { ldapServer: 'Corp' } },
    ]);
    expect(exported.roles).toEqual(['Auditor', 'desktop user', 'Org Admin', 'Viewer']);
    expect(exported.sync).toEqual(FULL.sync);
    expect(exported.servers[0]).toMatchObject({ createUsers: true, defaultOrg: 'Staff' });

    const copy = open('copy.sqlite');
    const r = apply(exported, { into: copy });
    expect(r.organizations!.map((o) => o.action)).toEqual(['created', 'created', 'created', 'created']);
    expect(orgs(copy)).toEqual(orgs());
    expect(listRoles(copy.db).map((x) => x.name)).toEqual(listRoles(store.db).map((x) => x.name));
    expect(readSyncSettings(copy.db)).toEqual(readSyncSettings(store.db));
    const defaultOrgName = (s: Store) => listOrganizations(s.db).find((o) => o.id === findServerByName(s.db, 'Corp')!.defaultOrgId)?.name;
    expect(defaultOrgName(copy)).toBe('Staff');
    expect(exportConfig(copy.db).config).toEqual(exported);

    const again = apply(exported);
    expect([...again.servers, ...again.organizations!, ...again.roles!].map((x) => x.action).every((a) => a === 'unchanged')).toBe(true);
    expect(again.sync).toBe('unchanged');
  });
});
