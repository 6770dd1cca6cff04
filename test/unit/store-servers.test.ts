import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrustedCertificate } from '../../src-shared/domain/server';
import { AppError } from '../../src-shared/errors';
import { openStore, type Store } from '../../src-main/store/db';
import {
  deleteServer,
  findServerByName,
  getServer,
  insertServer,
  listServers,
  listTrusted,
  replaceTrusted,
  setLastTest,
  toServerView,
  updateServer,
  type ServerRow,
} from '../../src-main/store/servers-repo';
import { serverRow as server } from './server-row';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-servers-'));
  store = openStore(join(dir, 'store.sqlite'));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function cert(byte: string, overrides: Partial<TrustedCertificate> = {}): TrustedCertificate {
  return {
    fingerprint256: Array.from({ length: 32 }, () => byte).join(':'),
    subject: `CN=ldap-${byte}.example.com`,
    issuer: 'CN=Example CA',
    validFrom: 'Jan  1 00:00:00 2025 GMT',
    validTo: 'Jan  1 00:00:00 2027 GMT',
    pem: `-----BEGIN CERTIFICATE-----\n${byte}\n-----END CERTIFICATE-----\n`,
    ...overrides,
  };
}

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an error');
}

describe('servers repository', () => {
  it('an inserted server reads back field for field', () => {
    const row = server({ startTls: true, passwordClearedAt: '2025-02-02T00:00:00.000Z' });
    insertServer(store.db, row);
    expect(getServer(store.db, 'srv-1')).toEqual(row);
    expect(listServers(store.db)).toEqual([row]);
  });

  it('an unknown id reads as undefined', () => {
    expect(getServer(store.db, 'nope')).toBeUndefined();
  });

  it('servers are listed by name regardless of case', () => {
    insertServer(store.db, server({ id: 'b', name: 'beta' }));
    insertServer(store.db, server({ id: 'a', name: 'Alpha' }));
    insertServer(store.db, server({ id: 'c', name: 'Gamma' }));
    expect(listServers(store.db).map((s) => s.name)).toEqual(['Alpha', 'beta', 'Gamma']);
  });

  it('a server is found by name ignoring case and surrounding spaces', () => {
    insertServer(store.db, server());
    expect(findServerByName(store.db, '  corporate ldap ')?.id).toBe('srv-1');
    expect(findServerByName(store.db, 'Other')).toBeUndefined();
  });

  it('a second server with the same name in another case is a conflict on the name field', () => {
    insertServer(store.db, server());
    const error = thrown(() => insertServer(store.db, server({ id: 'srv-2', name: 'CORPORATE ldap ' })));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe('A server named "CORPORATE ldap" already exists. Choose another name.');
    expect(error.fields).toEqual([{ path: 'name', message: error.message }]);
    expect(listServers(store.db)).toHaveLength(1);
  });

  it('renaming a server onto another one\'s name is a conflict', () => {
    insertServer(store.db, server());
    insertServer(store.db, server({ id: 'srv-2', name: 'Lab' }));
    const error = thrown(() => updateServer(store.db, server({ id: 'srv-2', name: 'corporate LDAP' })));
    expect(error.code).toBe('CONFLICT');
    expect(getServer(store.db, 'srv-2')?.name).toBe('Lab');
  });

  it('a server may change the case of its own name', () => {
    insertServer(store.db, server());
    updateServer(store.db, server({ name: 'CORPORATE LDAP' }));
    expect(getServer(store.db, 'srv-1')?.name).toBe('CORPORATE LDAP');
  });

  it('a reused id is a conflict', () => {
    insertServer(store.db, server());
    expect(thrown(() => insertServer(store.db, server({ name: 'Other' }))).code).toBe('CONFLICT');
  });

  it('an update replaces every field except the creation time', () => {
    insertServer(store.db, server());
    const changed = server({
      name: 'Lab',
      url: 'ldap://lab:389',
      startTls: true,
      bindAnonymously: true,
      bindDn: '',
      searchFilter: '(uid=?)',
      timeoutSeconds: 5,
      passwordRef: { kind: 'env', name: 'LAB_PASSWORD' },
      passwordClearedAt: '2025-03-03T00:00:00.000Z',
      createdAt: '2099-01-01T00:00:00.000Z',
      updatedAt: '2025-03-03T00:00:00.000Z',
    });
    const saved = updateServer(store.db, changed);
    expect(saved).toEqual({ ...changed, createdAt: '2025-01-01T10:00:00.000Z' });
    expect(getServer(store.db, 'srv-1')).toEqual(saved);
  });

  it('updating or deleting a missing server is not found', () => {
    expect(thrown(() => updateServer(store.db, server({ id: 'ghost' }))).code).toBe('NOT_FOUND');
    expect(thrown(() => deleteServer(store.db, 'ghost')).code).toBe('NOT_FOUND');
    expect(thrown(() => setLastTest(store.db, 'ghost', null)).code).toBe('NOT_FOUND');
  });

  it('the last test result is stored and cleared without touching updatedAt', () => {
    insertServer(store.db, server());
    const lastTest = { at: '2025-04-04T00:00:00.000Z', reachable: true, bindable: false, matches: null, errorMessage: 'Invalid credentials' };
    setLastTest(store.db, 'srv-1', lastTest);
    expect(getServer(store.db, 'srv-1')).toMatchObject({ lastTest, updatedAt: '2025-01-01T10:00:00.000Z' });
    setLastTest(store.db, 'srv-1', null);
    expect(getServer(store.db, 'srv-1')?.lastTest).toBeNull();
  });

  it('each kind of password reference round-trips and a password value is refused', () => {
    const refs = [{ kind: 'keychain', account: 'a' }, { kind: 'env', name: 'PW' }, { kind: 'file', path: '/run/secrets/pw' }, null] as const;
    refs.forEach((passwordRef, i) => insertServer(store.db, server({ id: `s${i}`, name: `S${i}`, passwordRef })));
    expect(listServers(store.db).map((s) => s.passwordRef)).toEqual(refs);
    const smuggled = { kind: 'keychain', account: 'a', value: 'hunter2' } as unknown as ServerRow['passwordRef'];
    expect(thrown(() => insertServer(store.db, server({ id: 'x', name: 'X', passwordRef: smuggled }))).code).toBe('INTERNAL');
    expect(JSON.stringify(store.db.prepare('SELECT * FROM servers').all())).not.toContain('hunter2');
  });

  it('trusted certificates are replaced as a set and keep when they were first trusted', () => {
    insertServer(store.db, server());
    replaceTrusted(store.db, 'srv-1', [cert('AA'), cert('BB')], '2025-01-01T00:00:00.000Z');
    const after = replaceTrusted(store.db, 'srv-1', [cert('CC'), cert('AA'), cert('CC')], '2025-06-06T00:00:00.000Z');
    expect(after.map((c) => [c.fingerprint256.slice(0, 2), c.addedAt])).toEqual([
      ['CC', '2025-06-06T00:00:00.000Z'],
      ['AA', '2025-01-01T00:00:00.000Z'],
    ]);
    expect(listTrusted(store.db, 'srv-1')).toEqual(after);
  });

  it('trusting certificates for a missing server is not found', () => {
    expect(thrown(() => replaceTrusted(store.db, 'ghost', [cert('AA')])).code).toBe('NOT_FOUND');
  });

  it('deleting a server deletes its trusted certificates', () => {
    insertServer(store.db, server());
    insertServer(store.db, server({ id: 'srv-2', name: 'Lab' }));
    replaceTrusted(store.db, 'srv-1', [cert('AA'), cert('BB')]);
    replaceTrusted(store.db, 'srv-2', [cert('AA')]);
    deleteServer(store.db, 'srv-1');
    expect(getServer(store.db, 'srv-1')).toBeUndefined();
    expect(store.db.prepare('SELECT server_id AS serverId FROM trusted_certificates').all()).toEqual([{ serverId: 'srv-2' }]);
  });

  it('the server view never exposes a keychain account or any secret', () => {
    const row = server({ passwordRef: { kind: 'keychain', account: 'secret-account-name' } });
    insertServer(store.db, row);
    const trusted = replaceTrusted(store.db, 'srv-1', [cert('AA')]);
    const view = toServerView(getServer(store.db, 'srv-1')!, trusted);
    expect(view.password).toEqual({ kind: 'keychain' });
    expect(JSON.stringify(view)).not.toContain('secret-account-name');
    expect(JSON.stringify(view)).not.toContain('addedAt');
    expect(view.trustedCertificates).toEqual([cert('AA')]);
    expect(view).toMatchObject({ id: 'srv-1', name: 'Corporate LDAP', passwordClearedAt: null, lastTest: null });
  });

  it('the server view keeps the name of an environment variable and the path of a password file', () => {
    expect(toServerView(server({ passwordRef: { kind: 'env', name: 'PW' } }), []).password).toEqual({ kind: 'env', name: 'PW' });
    expect(toServerView(server({ passwordRef: { kind: 'file', path: '/p' } }), []).password).toEqual({ kind: 'file', path: '/p' });
    expect(toServerView(server({ passwordRef: null }), []).password).toEqual({ kind: 'none' });
  });

  it('the schema itself refuses a password reference of an unknown kind', () => {
    insertServer(store.db, server());
    expect(() => store.db.prepare(`UPDATE servers SET password_ref = '{"kind":"value","value":"x"}'`).run()).toThrow(/CHECK constraint failed/);
  });
});
