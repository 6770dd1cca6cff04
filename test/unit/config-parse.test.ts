import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, readConfigFile, type ParseOutcome } from '../../src-main/config/parse-config';
import { PLAINTEXT_PASSWORD_MESSAGE } from '../../src-main/config/password-reference';
import { AppError } from '../../src-shared/errors';
import type { TestPki } from '../rig/certs';
import { sharedTestPki } from '../rig/shared-pki';
import { defaultMapping, defaultScripts } from '../../src-shared/domain/mapping-defaults';

const URL = 'ldap://127.0.0.1:3890/ou=people,dc=example,dc=com';
const FILTER = '(&(objectClass=inetOrgPerson)(uid=?))';
const good = (extra: Record<string, unknown> = {}) => ({ name: 'Corp', url: URL, bindDn: 'cn=sync,dc=example,dc=com', searchFilter: FILTER, ...extra });

let dir: string;
let pki: TestPki;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-config-parse-'));
  pki = await sharedTestPki();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function parse(doc: unknown): ParseOutcome {
  return parseConfig(typeof doc === 'string' ? doc : JSON.stringify(doc), { baseDir: dir });
}

function issues(doc: unknown): Record<string, string> {
  const r = parse(doc);
  if (r.ok) throw new Error('expected the file to be refused');
  return Object.fromEntries(r.issues.map((i) => [i.path, i.message]));
}

describe('config file checks', () => {
  it('fills in the documented defaults for omitted keys', () => {
    const r = parse({ servers: [{ name: 'Corp', url: URL, bindDn: 'cn=sync,dc=example,dc=com', searchFilter: FILTER }] });
    expect(r).toEqual({
      ok: true,
      config: {
        servers: [
          {
            draft: { name: 'Corp', url: URL, startTls: false, bindAnonymously: false, bindDn: 'cn=sync,dc=example,dc=com', searchFilter: FILTER, timeoutSeconds: 30, pageSize: 1000, trustedCertificates: [], mapping: defaultMapping(), scripts: defaultScripts(), createUsers: false, defaultOrgId: null, offline: false, snapshotId: null, scriptTests: [] },
            password: undefined,
            defaultOrg: null,
          },
        ],
      },
    });
  });

  it('reports every problem of every server with its JSON path', () => {
    const found = issues({
      servers: [
        good({ timeoutSeconds: 0 }),
        { name: 'Other', url: 'ftp://x', startTls: 'yes', bindDn: 'not a dn', trustedCertificates: [{ pem: 'junk' }] },
      ],
    });
    expect(found).toEqual({
      'servers[0].timeoutSeconds': 'must be at least 1',
      'servers[1].url': expect.stringContaining('ftp://'),
      'servers[1].startTls': 'must be true or false, not a string',
      'servers[1].bindDn': expect.stringContaining('not a DN'),
      'servers[1].trustedCertificates[0].pem': expect.stringContaining('not a PEM certificate'),
      'servers[1].searchFilter': 'is required (a string), or give a "preset" that sets it ("active-directory" or "openldap")',
    });
  });

  it('checks the search filter and URL with the same rules as the form', () => {
    const found = issues({ servers: [good({ url: 'ldap://127.0.0.1:3890', searchFilter: '(uid=jdoe)' })] });
    expect(Object.keys(found)).toEqual(['servers[0].url', 'servers[0].searchFilter']);
  });

  it('refuses a plaintext password in any shape and says why', () => {
    const shapes = ['hunter2', { value: 'hunter2' }, { password: 'x' }, { env: 'A', file: '/x' }, 42, null, ['x'], {}];
    for (const bindPassword of shapes) {
      expect(issues({ servers: [good({ bindPassword })] })).toEqual({ 'servers[0].bindPassword': PLAINTEXT_PASSWORD_MESSAGE });
    }
    expect(PLAINTEXT_PASSWORD_MESSAGE).toContain('version control and backups');
  });

  it('accepts an env reference only with a variable name', () => {
    expect(issues({ servers: [good({ bindPassword: { env: 'not a name' } })] })).toEqual({
      'servers[0].bindPassword.env': expect.stringContaining('environment variable name'),
    });
    const r = parse({ servers: [good({ bindPassword: { env: 'CORP_BIND_PASSWORD' } })] });
    expect(r.ok && r.config.servers[0].password).toEqual({ kind: 'env', name: 'CORP_BIND_PASSWORD' });
  });

  it('treats unknown keys as errors and suggests the key that was meant', () => {
    const found = issues({ servers: [good({ serchFilter: FILTER, trustedCertificates: [{ fiel: 'ca.pem' }] })], sever: [] });
    expect(found).toMatchObject({
      sever: 'unknown key (did you mean "servers"?)',
      'servers[0].serchFilter': 'unknown key (did you mean "searchFilter"?)',
      'servers[0].trustedCertificates[0].fiel': 'unknown key (did you mean "file"?)',
    });
  });

  it('refuses two servers with the same name, ignoring case and spaces', () => {
    expect(issues({ servers: [good(), good({ name: ' corp ' })] })).toEqual({
      'servers[1].name': '"corp" is already the name of servers[0] (names are compared ignoring case)',
    });
  });

  it('reports invalid JSON with its line and column', () => {
    expect(issues('{\n  "servers": [,]\n}')).toEqual({ '(root)': 'not valid JSON (line 2, column 15): unexpected ","' });
  });

  it('wants an object with servers, organizations, roles or sync at the top', () => {
    expect(issues([])).toEqual({ '(root)': expect.stringContaining('"servers"') });
    expect(issues({})).toEqual({ '(root)': 'is empty: give "servers", "organizations", "roles" or "sync"' });
    expect(issues({ servers: null })).toEqual({ servers: 'must be an array, not null' });
    expect(issues({ servers: [1] })).toEqual({ 'servers[0]': expect.stringContaining('must be an object') });
  });

  it('resolves relative password and certificate files against the config file folder', async () => {
    const sub = path.join(dir, 'conf');
    await rm(sub, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(path.join(sub, 'pki'), { recursive: true }));
    await writeFile(path.join(sub, 'pki', 'ca.pem'), pki.caCertPem);
    const file = path.join(sub, 'servers.json');
    await writeFile(file, JSON.stringify({ servers: [good({ bindPassword: { file: 'secrets/bind.txt' }, trustedCertificates: [{ file: 'pki/ca.pem' }] })] }));
    const config = readConfigFile(path.relative(process.cwd(), file));
    expect(config.servers[0].password).toEqual({ kind: 'file', path: path.join(sub, 'secrets', 'bind.txt') });
    expect(config.servers[0].draft.trustedCertificates).toHaveLength(1);
    expect(config.servers[0].draft.trustedCertificates[0].subject).toContain('LDAP Sync Studio Test CA');
  });

  it('trusts every certificate of a PEM bundle, inline or from a file', async () => {
    const bundle = pki.caCertPem + pki.server.certPem;
    await writeFile(path.join(dir, 'bundle.pem'), bundle);
    const r = parse({ servers: [good({ trustedCertificates: [{ file: 'bundle.pem' }, { pem: pki.selfSigned.certPem }] })] });
    expect(r.ok && r.config.servers[0].draft.trustedCertificates.map((c) => c.subject)).toEqual([
      'CN=LDAP Sync Studio Test CA',
      'CN=127.0.0.1',
      'CN=127.0.0.1',
    ]);
  });

  it('refuses more than 50 trusted certificates, counting each certificate of a bundle', () => {
    expect(issues({ servers: [good({ trustedCertificates: [{ pem: pki.caCertPem.repeat(51) }] })] })).toEqual({
      'servers[0].trustedCertificates': 'holds 51 certificates (bundles counted one by one); trust at most 50',
    });
  });

  it('reports a missing or non-PEM certificate file at its entry', async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'hello');
    expect(issues({ servers: [good({ trustedCertificates: [{ file: 'missing.pem' }, { file: 'notes.txt' }, { file: 'a', pem: 'b' }] })] })).toEqual({
      'servers[0].trustedCertificates[0].file': `cannot read ${path.join(dir, 'missing.pem')} (it does not exist)`,
      'servers[0].trustedCertificates[1].file': expect.stringContaining('is not a PEM certificate'),
      'servers[0].trustedCertificates[2]': 'give exactly one of "file" (a PEM file) or "pem" (the PEM text)',
    });
  });

  it('throws one INVALID_INPUT error listing the problems when reading a bad file', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ servers: [good({ bindPassword: 'x' }), good({ name: 'B', url: 'nope' })] }));
    const err = (() => {
      try {
        readConfigFile(file);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_INPUT');
    expect((err as AppError).message).toBe(`${file} has 2 problems; nothing was applied.`);
    expect((err as AppError).fields?.map((f) => f.path)).toEqual(['servers[0].bindPassword', 'servers[1].url']);
  });

  it('says so when the config file cannot be read', () => {
    expect(() => readConfigFile(path.join(dir, 'nowhere.json'))).toThrow(/Cannot read the config file .*nowhere\.json \(it does not exist\)/);
  });
});
