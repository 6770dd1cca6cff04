import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyConfig } from '../../src-main/config/apply';
import { parseConfig, readConfigFile, type ParsedConfig } from '../../src-main/config/parse-config';
import { openStore, type Store } from '../../src-main/store/db';
import { findServerByName, insertServer, listServers, listTrusted, toServerView, updateServer } from '../../src-main/store/servers-repo';
import type { TestPki } from '../rig/certs';
import { sharedTestPki } from '../rig/shared-pki';
import { defaultMapping, defaultScripts } from '../../src-shared/domain/mapping-defaults';

const URL = 'ldap://127.0.0.1:3890/ou=people,dc=example,dc=com';
const FILTER = '(&(objectClass=inetOrgPerson)(uid=?))';
const BIND_DN = 'cn=sync,dc=example,dc=com';
const server = (extra: Record<string, unknown> = {}) => ({ name: 'Corp', url: URL, bindDn: BIND_DN, searchFilter: FILTER, ...extra });

let pki: TestPki;
let dir: string;
let store: Store;
beforeAll(async () => {
  pki = await sharedTestPki();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-config-apply-'));
  store = openStore(path.join(dir, 'store.sqlite'));
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

function config(servers: unknown[]): ParsedConfig {
  const r = parseConfig(JSON.stringify({ servers }), { baseDir: dir });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

let tick = 0;
const clock = () => new Date(Date.UTC(2030, 0, 1, 0, 0, tick++));

/** Everything stored, as plain data, to compare before and after. */
function snapshot() {
  return listServers(store.db).map((r) => ({ ...r, trusted: listTrusted(store.db, r.id) }));
}

describe('applying a config file to the store', () => {
  it('creates new servers with their password reference and trusted certificates', () => {
    const result = applyConfig(store.db, config([server({ bindPassword: { env: 'CORP_BIND_PASSWORD' }, trustedCertificates: [{ pem: pki.caCertPem }] }), server({ name: 'Anon', bindAnonymously: true, bindDn: '' })]), { now: clock });
    expect(result).toEqual({
      dryRun: false,
      servers: [
        { name: 'Corp', action: 'created', passwordCleared: false },
        { name: 'Anon', action: 'created', passwordCleared: false },
      ],
      releasedKeychainAccounts: [],
    });
    const corp = findServerByName(store.db, 'corp')!;
    expect(corp).toMatchObject({ url: URL, bindDn: BIND_DN, startTls: false, timeoutSeconds: 30, passwordRef: { kind: 'env', name: 'CORP_BIND_PASSWORD' } });
    expect(listTrusted(store.db, corp.id).map((c) => c.subject)).toEqual(['CN=LDAP Sync Studio Test CA']);
    expect(findServerByName(store.db, 'Anon')).toMatchObject({ bindAnonymously: true, passwordRef: null });
  });

  it('leaves every server untouched when the same file is applied again', () => {
    const file = config([server({ bindPassword: { file: '/run/secrets/bind' }, trustedCertificates: [{ pem: pki.caCertPem }] })]);
    applyConfig(store.db, file, { now: clock });
    const before = snapshot();
    expect(applyConfig(store.db, file, { now: clock }).servers).toEqual([{ name: 'Corp', action: 'unchanged', passwordCleared: false }]);
    expect(snapshot()).toEqual(before);
  });

  it('updates the server matched by name ignoring case, keeping its id and creation time', () => {
    applyConfig(store.db, config([server()]), { now: clock });
    const old = findServerByName(store.db, 'Corp')!;
    const result = applyConfig(store.db, config([server({ name: 'CORP', searchFilter: '(&(objectClass=person)(cn=?))', timeoutSeconds: 5 })]), { now: clock });
    expect(result.servers).toEqual([{ name: 'CORP', action: 'updated', passwordCleared: false }]);
    const now = findServerByName(store.db, 'corp')!;
    expect(now).toMatchObject({ id: old.id, createdAt: old.createdAt, name: 'CORP', searchFilter: '(&(objectClass=person)(cn=?))', timeoutSeconds: 5 });
    expect(now.updatedAt > old.updatedAt).toBe(true);
    expect(listServers(store.db)).toHaveLength(1);
  });

  it('keeps the stored password when the file has no bindPassword and the identity is unchanged', () => {
    applyConfig(store.db, config([server({ bindPassword: { env: 'A' } })]), { now: clock });
    const r = applyConfig(store.db, config([server({ timeoutSeconds: 60 })]), { now: clock });
    expect(r.servers).toEqual([{ name: 'Corp', action: 'updated', passwordCleared: false }]);
    expect(findServerByName(store.db, 'Corp')!.passwordRef).toEqual({ kind: 'env', name: 'A' });
  });

  it('clears the stored password when the TLS mode changes and the file gives none', () => {
    applyConfig(store.db, config([server({ bindPassword: { env: 'A' } })]), { now: clock });
    const r = applyConfig(store.db, config([server({ startTls: true })]), { now: clock });
    expect(r.servers).toEqual([{ name: 'Corp', action: 'updated', passwordCleared: true }]);
    expect(findServerByName(store.db, 'Corp')!.passwordRef).toBeNull();
  });

  it('clears the stored password when the host changes and the file gives none', () => {
    applyConfig(store.db, config([server({ bindPassword: { env: 'A' } })]), { now: clock });
    const r = applyConfig(store.db, config([server({ url: 'ldap://other.example.com/ou=people,dc=example,dc=com' })]), { now: clock });
    expect(r.servers).toEqual([{ name: 'Corp', action: 'updated', passwordCleared: true }]);
    const row = findServerByName(store.db, 'Corp')!;
    expect(row.passwordRef).toBeNull();
    expect(row.passwordClearedAt).toBe(row.updatedAt);
    expect(toServerView(row, []).password).toEqual({ kind: 'none' });
  });

  it('clears the stored password when the bind DN changes, unless the file gives a new one', () => {
    applyConfig(store.db, config([server({ bindPassword: { env: 'A' } }), server({ name: 'B', bindPassword: { env: 'B' } })]), { now: clock });
    const r = applyConfig(store.db, config([server({ bindDn: 'cn=other,dc=example,dc=com' }), server({ name: 'B', bindDn: 'cn=other,dc=example,dc=com', bindPassword: { env: 'B2' } })]), { now: clock });
    expect(r.servers).toEqual([
      { name: 'Corp', action: 'updated', passwordCleared: true },
      { name: 'B', action: 'updated', passwordCleared: false },
    ]);
    expect(findServerByName(store.db, 'Corp')!.passwordRef).toBeNull();
    expect(findServerByName(store.db, 'B')).toMatchObject({ passwordRef: { kind: 'env', name: 'B2' }, passwordClearedAt: null });
  });

  it('does not count a differently written but equal bind DN as an identity change', () => {
    applyConfig(store.db, config([server({ bindPassword: { env: 'A' } })]), { now: clock });
    const r = applyConfig(store.db, config([server({ bindDn: 'CN=sync, DC=example, DC=com' })]), { now: clock });
    expect(r.servers[0]).toEqual({ name: 'Corp', action: 'updated', passwordCleared: false });
    expect(findServerByName(store.db, 'Corp')!.passwordRef).toEqual({ kind: 'env', name: 'A' });
  });

  it('hands back a keychain item that a reference replaced, for deletion after the commit', () => {
    const at = clock().toISOString();
    insertServer(store.db, { id: 'k1', name: 'Corp', url: URL, startTls: false, bindAnonymously: false, bindDn: BIND_DN, searchFilter: FILTER, timeoutSeconds: 30, mapping: defaultMapping(), scripts: defaultScripts(), createUsers: false, defaultOrgId: null, offline: false, snapshotId: null, scriptTests: [], passwordRef: { kind: 'keychain', account: 'acc-1' }, passwordClearedAt: null, lastTest: null, createdAt: at, updatedAt: at });
    const dry = applyConfig(store.db, config([server({ bindPassword: { env: 'A' } })]), { dryRun: true, now: clock });
    expect(dry.releasedKeychainAccounts).toEqual([]);
    const r = applyConfig(store.db, config([server({ bindPassword: { env: 'A' } })]), { now: clock });
    expect(r.releasedKeychainAccounts).toEqual(['acc-1']);
    expect(findServerByName(store.db, 'Corp')!.passwordRef).toEqual({ kind: 'env', name: 'A' });
  });

  it('reports what a dry run would change and writes nothing', () => {
    applyConfig(store.db, config([server({ bindPassword: { env: 'A' } })]), { now: clock });
    const before = snapshot();
    const r = applyConfig(store.db, config([server({ url: 'ldap://other.example.com/dc=example,dc=com' }), server({ name: 'New' })]), { dryRun: true, now: clock });
    expect(r).toMatchObject({
      dryRun: true,
      servers: [
        { name: 'Corp', action: 'updated', passwordCleared: true },
        { name: 'New', action: 'created', passwordCleared: false },
      ],
    });
    expect(snapshot()).toEqual(before);
  });

  it('leaves the store unchanged when the second of two servers in the file is invalid', async () => {
    applyConfig(store.db, config([server({ bindPassword: { env: 'A' } })]), { now: clock });
    const before = snapshot();
    const file = path.join(dir, 'servers.json');
    await writeFile(file, JSON.stringify({ servers: [server({ name: 'First' }), server({ name: 'Second', url: 'ldap://' })] }));
    expect(() => readConfigFile(file)).toThrow(/1 problem; nothing was applied/);
    // Even a config that skipped the checks is refused before anything is written.
    const unchecked: ParsedConfig = { servers: [config([server({ name: 'First' })]).servers[0], { draft: { ...config([server({ name: 'Second' })]).servers[0].draft, url: 'ldap://' } }] };
    expect(() => applyConfig(store.db, unchecked, { now: clock })).toThrow(expect.objectContaining({ fields: [{ path: 'servers[1].url', message: expect.any(String) }] }));
    expect(snapshot()).toEqual(before);
  });

  it('keeps the offline mode, snapshot and script test cases of a server when the file does not have those keys', () => {
    applyConfig(store.db, config([server()]), { now: clock });
    const test = { id: 't1', script: 'active' as const, name: 'staff are active', entry: { dn: 'uid=a,dc=example,dc=com', attributes: { employeeType: ['staff'] } }, expected: true };
    updateServer(store.db, { ...findServerByName(store.db, 'Corp')!, scriptTests: [test] });
    const r = applyConfig(store.db, config([server({ timeoutSeconds: 5 })]), { now: clock });
    expect(r.servers[0].action).toBe('updated');
    expect(findServerByName(store.db, 'Corp')).toMatchObject({ timeoutSeconds: 5, offline: false, snapshotId: null, scriptTests: [test] });
  });

  it('rolls back every server when writing the second one fails', () => {
    const before = snapshot();
    // A real SQLite trigger makes the second insert fail after the first one succeeded.
    store.db.exec(`CREATE TEMP TRIGGER refuse_second BEFORE INSERT ON servers WHEN NEW.name = 'Second' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`);
    expect(() => applyConfig(store.db, config([server({ name: 'First' }), server({ name: 'Second' })]), { now: clock })).toThrow('refused by test trigger');
    expect(snapshot()).toEqual(before);
    expect(findServerByName(store.db, 'First')).toBeUndefined();
  });
});
