/**
 * The server's Page size (issue 15.4) and the doctor's clearer results (15.5) against a real slapd:
 * every paged read uses the page size, the doctor's ldapsearch line works when pasted (it names the
 * trusted CA in LDAPTLS_CACERT), a filter matching nobody is a warning, and a size limit names
 * OpenLDAP's settings (slapd's root DSE says OpenLDAP).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import { runDoctor } from '../../src-main/ldap/doctor';
import { readStrict } from '../../src-main/ldap/strict-read';
import { targetFromDraft } from '../../src-main/ldap/target';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import { getServer } from '../../src-main/store/servers-repo';
import type { DoctorReport, StageResult } from '../../src-shared/domain/doctor';
import { emptyServerDraft, type ServerDraft } from '../../src-shared/domain/server';
import { run } from '../rig/exec';
import { startSlapd, type Slapd } from '../rig/slapd';

const stage = (r: DoctorReport, name: string): StageResult => r.stages.find((s) => s.name === name)!;
/** The environment a pasted line meets: no LDAPTLS_* variable of the test process. */
const shellEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LDAPTLS_')));

describe('page size and the doctor against OpenLDAP', () => {
  let slapd: Slapd;
  let dir: string;
  let app: AppContext;
  beforeAll(async () => {
    slapd = await startSlapd({ users: 1200, logOps: false });
    dir = await mkdtemp(join(tmpdir(), 'lss-page-size-'));
    const keychain = new SecretToolKeychain({ PATH: process.env.PATH, HOME: dir, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-bus')}` });
    app = createAppContext({ dbPath: join(dir, 'store.sqlite'), keychain, env: { SYNC_PW: slapd.syncPw } });
  }, 120_000);
  afterAll(async () => {
    app?.close();
    await slapd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const draft = (over: Partial<ServerDraft> = {}): ServerDraft => ({
    ...emptyServerDraft(),
    name: 'Corp',
    url: `${slapd.url}/${slapd.baseDn}`,
    bindDn: slapd.syncDn,
    timeoutSeconds: 10,
    ...over,
  });

  it('reads the directory in pages of the server\'s page size', async () => {
    const read = (pageSize?: number) => readStrict({ target: targetFromDraft(draft({ pageSize })), password: slapd.syncPw, attributes: ['uid'], onPage: () => {} });
    expect(await read(100)).toMatchObject({ entries: 1200, pages: 12 });
    expect(await read(undefined)).toMatchObject({ entries: 1200, pages: 2 });
  });

  it('keeps the page size with the server, 1000 when the form does not say', async () => {
    const set = await app.servers.create(draft({ name: 'Paged', pageSize: 250 }), { kind: 'env', name: 'SYNC_PW' });
    expect(set.pageSize).toBe(250);
    expect(getServer(app.store.db, set.id)!.pageSize).toBe(250);
    const { pageSize: _omitted, ...withoutPageSize } = draft({ name: 'Default' });
    const unset = await app.servers.create(withoutPageSize, { kind: 'env', name: 'SYNC_PW' });
    expect(unset.pageSize).toBe(1000);
    await expect(app.servers.create(draft({ name: 'Tiny', pageSize: 5 }), { kind: 'env', name: 'SYNC_PW' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('counts with the page size and prints it in the ldapsearch line', async () => {
    const r = await runDoctor({ target: targetFromDraft(draft({ pageSize: 300 })), password: slapd.syncPw });
    expect(r.error).toBeNull();
    expect(r.matches).toBe(1200);
    expect(r.ldapsearch).toContain('-E pr=300/noprompt');
  });

  it('prints an ldapsearch line that works when pasted: LDAPTLS_CACERT names a file with the trusted CA', async () => {
    const trusted = [parseTrustedPem(slapd.pki.caCertPem, 'ca')];
    const r = await runDoctor({ target: targetFromDraft(draft({ url: `${slapd.ldapsUrl}/${slapd.baseDn}`, trustedCertificates: trusted })), password: slapd.syncPw });
    expect(r.error).toBeNull();
    const m = /^LDAPTLS_CACERT='([^']+)' ldapsearch /.exec(r.ldapsearch);
    expect(m).not.toBeNull();
    // -W prompts for the bind password; a script gives it with -w instead.
    const line = r.ldapsearch.replace(' -W ', ` -w '${slapd.syncPw}' `);
    const { stdout } = await run('sh', ['-c', line], { env: shellEnv() });
    expect(stdout.match(/^dn: /gm)).toHaveLength(1200);
    // Without the variable, libldap does not trust the private CA: the line would fail when pasted.
    await expect(run('sh', ['-c', line.replace(/^LDAPTLS_CACERT='[^']+' /, '')], { env: shellEnv() })).rejects.toThrow(/Can't contact LDAP server/);
  });

  it('warns that a filter matching nobody would deactivate every managed user', async () => {
    const r = await runDoctor({ target: targetFromDraft(draft({ searchFilter: '(&(objectClass=inetOrgPerson)(description=no-such-value)(uid=?))' })), password: slapd.syncPw });
    expect(r.error).toBeNull();
    expect(r.matches).toBe(0);
    expect(stage(r, 'search').detail).toContain('0 matches for');
    expect(stage(r, 'search').detail).toContain('Warning: a filter matching nobody would deactivate every managed user');
    expect(stage(r, 'search').detail).toContain(slapd.syncDn);
  });

  it('names OpenLDAP\'s size-limit settings, and suggests no smaller page when smaller pages do not help', async () => {
    // The limited account is capped at 500 entries in total, paged or not.
    const r = await runDoctor({ target: targetFromDraft(draft({ bindDn: slapd.limitedDn })), password: slapd.limitedPw });
    expect(r.error?.code).toBe('SIZE_LIMIT');
    expect(r.error?.message).toContain('The directory (OpenLDAP) stopped the search early: size limit exceeded');
    expect(r.error?.message).toContain('olcSizeLimit');
    expect(r.error?.message).not.toContain('nsslapd-sizelimit');
    expect(r.error?.message).not.toContain('With a page size of');
  });

  it('names OpenLDAP\'s settings when a sync\'s read hits the limit', async () => {
    const read = readStrict({ target: targetFromDraft(draft({ bindDn: slapd.limitedDn })), password: slapd.limitedPw, attributes: ['uid'], onPage: () => {} });
    await expect(read).rejects.toMatchObject({ code: 'SIZE_LIMIT', message: expect.stringContaining('(OpenLDAP)') });
  });
});
