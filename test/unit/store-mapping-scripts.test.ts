import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src-main/store/db';
import { loadMigrations } from '../../src-main/store/migration-files';
import { insertOrganization, listOrganizations, organizationNameKeys } from '../../src-main/store/organizations-repo';
import { insertRole, listRoles, roleNameKeys } from '../../src-main/store/roles-repo';
import { deleteServer, getServer, insertServer, updateServer, type ServerRow } from '../../src-main/store/servers-repo';
import { defaultMapping, defaultScripts } from '../../src-shared/domain/mapping-defaults';
import { AppError } from '../../src-shared/errors';
import { serverRow } from './server-row';

let dir: string;
const open: Store[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-mapping-'));
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function store(migrations = loadMigrations()): Store {
  const s = openStore(join(dir, 'store.sqlite'), { migrations });
  open.push(s);
  return s;
}

/** An anonymous-bind server on a local directory. */
function row(overrides: Partial<ServerRow> = {}): ServerRow {
  return serverRow({
    name: 'Corp',
    url: 'ldap://127.0.0.1:3890/dc=example,dc=com',
    bindAnonymously: true,
    bindDn: '',
    passwordRef: null,
    ...overrides,
  });
}

describe('migration 0002: mapping, scripts, organizations and roles', () => {
  it('gives servers saved before it the default mapping and the default scripts', () => {
    const before = store(loadMigrations().filter((m) => m.version === 1));
    before.db
      .prepare(
        `INSERT INTO servers (id, name, name_key, url, start_tls, bind_anonymously, bind_dn, search_filter, timeout_seconds, created_at, updated_at)
        VALUES ('old', 'Old', 'old', 'ldap://h/dc=x', 0, 1, '', '(uid=?)', 30, 'now', 'now')`,
      )
      .run();
    before.close();
    const after = store();
    expect(getServer(after.db, 'old')).toMatchObject({ mapping: defaultMapping(), scripts: defaultScripts() });
  });

  it('seeds the roles Desktop User and Org Admin and starts without organizations', () => {
    const s = store();
    expect(listRoles(s.db).map((r) => r.name)).toEqual(['Desktop User', 'Org Admin']);
    expect(roleNameKeys(s.db)).toEqual(new Set(['desktop user', 'org admin']));
    expect(listOrganizations(s.db)).toEqual([]);
  });
});

describe('mapping and scripts of a stored server', () => {
  it('round-trip through insert and update, multi-line scripts and null scripts included', () => {
    const s = store();
    const scripts = { active: "function(entry) {\n  return entry.employeeType != 'former';\n}", orgName: 'function(entry) { return entry.o; }', roleName: null };
    insertServer(s.db, row({ mapping: { email: 'userPrincipalName', firstName: '', lastName: 'sn' }, scripts }));
    expect(getServer(s.db, 'srv-1')).toMatchObject({ mapping: { email: 'userPrincipalName', firstName: '', lastName: 'sn' }, scripts });
    updateServer(s.db, row({ scripts: { ...scripts, roleName: "function(entry) { return ['Desktop User']; }" } }));
    expect(getServer(s.db, 'srv-1')!.scripts.roleName).toBe("function(entry) { return ['Desktop User']; }");
  });

  it('the schema refuses scripts without an Active script', () => {
    const s = store();
    insertServer(s.db, row());
    expect(() => s.db.prepare(`UPDATE servers SET scripts_json = '{"orgName":null}' WHERE id = 'srv-1'`).run()).toThrow(/CHECK constraint/);
  });
});

describe('organizations and roles', () => {
  it('match names ignoring case and surrounding spaces, and refuse a second one with the same name', () => {
    const s = store();
    insertOrganization(s.db, { name: '  Sales EMEA ' });
    expect(organizationNameKeys(s.db)).toEqual(new Set(['sales emea']));
    expect(() => insertOrganization(s.db, { name: 'sales emea' })).toThrow(AppError);
    insertRole(s.db, 'Auditor');
    expect(roleNameKeys(s.db).has('auditor')).toBe(true);
    expect(() => insertRole(s.db, 'DESKTOP USER')).toThrow(/already exists/);
  });

  it('an organization loses its authentication server, not itself, when that server is deleted', () => {
    const s = store();
    insertServer(s.db, row());
    const org = insertOrganization(s.db, { name: 'Sales', authServerId: 'srv-1' });
    expect(org.registrationKey).toMatch(/^[0-9a-f]{32}$/);
    deleteServer(s.db, 'srv-1');
    expect(listOrganizations(s.db)).toEqual([{ ...org, authServerId: null }]);
  });
});
