import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyConfig } from '../../src-main/config/apply';
import { exportConfig } from '../../src-main/config/export';
import { parseConfig } from '../../src-main/config/parse-config';
import { openStore, type Store } from '../../src-main/store/db';
import { insertServer, listServers, listTrusted, toServerView } from '../../src-main/store/servers-repo';
import type { TestPki } from '../rig/certs';
import { sharedTestPki } from '../rig/shared-pki';
import { defaultMapping, defaultScripts } from '../../src-shared/domain/mapping-defaults';
import { DEFAULT_SYNC_SETTINGS } from '../../src-shared/domain/sync';

const FILTER = '(&(objectClass=inetOrgPerson)(uid=?))';

let pki: TestPki;
let dir: string;
let stores: Store[];
beforeAll(async () => {
  pki = await sharedTestPki();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-config-export-'));
  stores = [];
});
afterEach(async () => {
  for (const s of stores) s.close();
  await rm(dir, { recursive: true, force: true });
});

function store(name: string): Store {
  const s = openStore(path.join(dir, name));
  stores.push(s);
  return s;
}

function applyText(s: Store, text: string) {
  const r = parseConfig(text, { baseDir: dir });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return applyConfig(s.db, r.config);
}

/** The servers of a store without what differs between stores (ids, timestamps). */
function servers(s: Store) {
  return listServers(s.db).map((row) => {
    const { id: _i, createdAt: _c, updatedAt: _u, ...view } = toServerView(row, listTrusted(s.db, row.id));
    return view;
  });
}

const SOURCE = {
  servers: [
    { name: 'Corp', url: 'ldaps://127.0.0.1:6360/ou=people,dc=example,dc=com', bindDn: 'cn=sync,dc=example,dc=com', bindPassword: { env: 'CORP_BIND_PASSWORD' }, searchFilter: FILTER, timeoutSeconds: 12, trustedCertificates: [{ pem: '' }],
      mapping: { email: 'userPrincipalName', firstName: 'givenName', lastName: '' },
      scripts: { active: "function(entry) {\n  return entry.employeeType != 'former';\n}", orgName: 'function(entry) { return entry.o; }', roleName: null } },
    { name: 'Branch', url: 'ldap://127.0.0.1:3890/ou=people,dc=example,dc=com', startTls: true, bindDn: 'cn=branch,dc=example,dc=com', bindPassword: { file: '/run/secrets/branch' }, searchFilter: '(&(objectClass=person)(cn=?))' },
    { name: 'Public', url: 'ldap://127.0.0.1:3890/dc=example,dc=com', bindAnonymously: true, searchFilter: FILTER },
  ],
};

describe('exporting the configuration', () => {
  it('round-trips: export, then apply into a fresh store, gives the same servers', () => {
    const source = store('a.sqlite');
    SOURCE.servers[0].trustedCertificates = [{ pem: pki.caCertPem + pki.selfSigned.certPem }];
    applyText(source, JSON.stringify(SOURCE));
    const exported = exportConfig(source.db);
    expect(exported.keychainServers).toEqual([]);

    const copy = store('b.sqlite');
    const result = applyText(copy, JSON.stringify(exported.config));
    expect(result.servers.map((s) => s.action)).toEqual(['created', 'created', 'created']);
    expect(servers(copy)).toEqual(servers(source));
    expect(servers(copy).find((s) => s.name === 'Corp')!.trustedCertificates).toHaveLength(2);
    expect(servers(copy).find((s) => s.name === 'Corp')).toMatchObject({ mapping: SOURCE.servers[0].mapping, scripts: SOURCE.servers[0].scripts });
    expect(servers(copy).find((s) => s.name === 'Public')).toMatchObject({ mapping: defaultMapping(), scripts: defaultScripts() });
    // And applying the export back onto its own store changes nothing.
    expect(applyText(source, JSON.stringify(exported.config)).servers.map((s) => s.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('writes every key in the shape config apply reads, with references only', () => {
    const source = store('a.sqlite');
    applyText(source, JSON.stringify({ servers: [SOURCE.servers[1]] }));
    expect(exportConfig(source.db).config).toEqual({
      servers: [
        {
          name: 'Branch',
          url: 'ldap://127.0.0.1:3890/ou=people,dc=example,dc=com',
          startTls: true,
          bindAnonymously: false,
          bindDn: 'cn=branch,dc=example,dc=com',
          bindPassword: { file: '/run/secrets/branch' },
          searchFilter: '(&(objectClass=person)(cn=?))',
          timeoutSeconds: 30,
          pageSize: 1000,
          trustedCertificates: [],
          mapping: defaultMapping(),
          scripts: defaultScripts(),
          createUsers: false,
          defaultOrg: null,
          offline: false,
          snapshot: null,
          scriptTests: [],
        },
      ],
      organizations: [],
      roles: ['Desktop User', 'Org Admin'],
      sync: DEFAULT_SYNC_SETTINGS,
    });
  });

  it('leaves keychain passwords out and names their servers', () => {
    const source = store('a.sqlite');
    const at = new Date().toISOString();
    insertServer(source.db, { id: 'k', name: 'Vault', url: 'ldap://127.0.0.1:3890/dc=example,dc=com', startTls: false, bindAnonymously: false, bindDn: 'cn=x,dc=example,dc=com', searchFilter: FILTER, timeoutSeconds: 30, mapping: defaultMapping(), scripts: defaultScripts(), createUsers: false, defaultOrgId: null, offline: false, snapshotId: null, scriptTests: [], passwordRef: { kind: 'keychain', account: 'secret-account-id' }, passwordClearedAt: null, lastTest: null, createdAt: at, updatedAt: at });
    const exported = exportConfig(source.db);
    expect(exported.keychainServers).toEqual(['Vault']);
    expect(exported.config.servers[0]).not.toHaveProperty('bindPassword');
    expect(JSON.stringify(exported)).not.toContain('secret-account-id');
    expect(parseConfig(JSON.stringify(exported.config), { baseDir: dir }).ok).toBe(true);
  });
});
