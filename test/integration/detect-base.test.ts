import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import { detectBase } from '../../src-main/ldap/detect-base';
import { runDoctor } from '../../src-main/ldap/doctor';
import { targetFromDraft } from '../../src-main/ldap/target';
import { detectionTarget } from '../../src-main/services/detect-base';
import type { BaseDetection } from '../../src-shared/domain/base-detection';
import { emptyServerDraft, type ServerDraft } from '../../src-shared/domain/server';
import { run } from '../rig/exec';
import { startSambaDc, type SambaDc } from '../rig/samba';
import { startSlapd, type Slapd } from '../rig/slapd';
import { runCliInProcess, type Outcome } from './cli-runner';

let slapd: Slapd;
let dc: SambaDc;
let dir: string;

beforeAll(async () => {
  [slapd, dc] = await Promise.all([startSlapd({ users: 3, logOps: false }), startSambaDc()]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-detect-base-'));
}, 180_000);
afterAll(async () => {
  await Promise.all([slapd?.stop(), dc?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const draft = (over: Partial<ServerDraft>): ServerDraft => ({ ...emptyServerDraft(), name: 'x', timeoutSeconds: 15, ...over });
const detect = (d: ServerDraft, password: string | null): Promise<BaseDetection> => detectBase(detectionTarget(d), password, d.url);
const ldapSync = (args: string[], env: Record<string, string> = {}): Promise<Outcome> =>
  runCliInProcess(args, { cwd: dir, env: { ...process.env, LDAP_SYNC_DB: path.join(dir, 'store.sqlite'), ...env } });

/** namingContexts as libldap's ldapsearch reads them from the rootDSE (the reference). */
async function ldapsearchNamingContexts(url: string): Promise<string[]> {
  const out = await run('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', url, '-b', '', '-s', 'base', 'namingContexts']);
  return out.stdout.split('\n').filter((l) => l.startsWith('namingContexts: ')).map((l) => l.slice('namingContexts: '.length));
}

describe('search base detection against OpenLDAP (slapd)', () => {
  it('takes the one naming context from namingContexts, as ldapsearch reads it, and puts it into the URL', async () => {
    const d = await detect(draft({ url: slapd.url, bindDn: slapd.syncDn }), slapd.syncPw);
    expect(await ldapsearchNamingContexts(slapd.url)).toEqual([slapd.suffix]);
    expect(d).toMatchObject({ baseDn: slapd.suffix, kind: 'other', from: 'namingContexts', namingContexts: [slapd.suffix], url: `${slapd.url}/${slapd.suffix}`, globalCatalog: null, boundAs: slapd.syncDn });
    expect(d.reason).toMatch(/one naming context: dc=example,dc=com/);
  });

  it('replaces a base already in the URL, and reads anonymously when no password is at hand', async () => {
    const d = await detect(draft({ url: `${slapd.url}/ou=nowhere,${slapd.suffix}`, bindDn: slapd.syncDn }), null);
    expect(d).toMatchObject({ baseDn: slapd.suffix, url: `${slapd.url}/${slapd.suffix}`, boundAs: null });
  });

  it('`ldap-sync server detect-base NAME --set` saves the detected base into the saved server', async () => {
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ servers: [{ name: 'Lab', url: `${slapd.url}/ou=people,${slapd.suffix}`, bindDn: slapd.syncDn, bindPassword: { env: 'LAB_PW' }, preset: 'openldap' }] }));
    expect((await ldapSync(['config', 'apply', 'config.json'])).code).toBe(0);
    const shown = await ldapSync(['server', 'detect-base', 'lab'], { LAB_PW: slapd.syncPw });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Search base for "Lab": ${slapd.suffix}\n`);
    expect(shown.stdout).toContain(`From:    namingContexts (LDAP directory, read as ${slapd.syncDn})`);
    expect(shown.stdout).toContain('To save it: ldap-sync server detect-base lab --set');
    const set = await ldapSync(['server', 'detect-base', 'Lab', '--set', '--json'], { LAB_PW: slapd.syncPw });
    expect(JSON.parse(set.stdout)).toMatchObject({ baseDn: slapd.suffix, saved: true });
    const [server] = JSON.parse((await ldapSync(['server', 'list', '--json'])).stdout);
    expect(server).toMatchObject({ url: `${slapd.url}/${slapd.suffix}`, password: { kind: 'env', name: 'LAB_PW' } });
  });
});

describe('search base detection against Active Directory (Samba AD DC)', () => {
  const trusted = () => [parseTrustedPem(dc.caPem, 'ca')];

  it('takes defaultNamingContext, names the directory Active Directory, and lists the forest\'s other partitions', async () => {
    const d = await detect(draft({ url: dc.ldapsUrl, bindDn: dc.reader.upn, trustedCertificates: trusted() }), dc.reader.password);
    expect(d).toMatchObject({ baseDn: dc.baseDn, kind: 'active-directory', from: 'defaultNamingContext', url: `${dc.ldapsUrl}/${dc.baseDn}`, globalCatalog: null, boundAs: dc.reader.upn });
    expect(d.namingContexts).toEqual(expect.arrayContaining([dc.baseDn, `CN=Configuration,${dc.baseDn}`, `CN=Schema,CN=Configuration,${dc.baseDn}`]));
    expect(d.reason).toMatch(/^Active Directory names its domain in defaultNamingContext: DC=samdom,DC=test\./);
  });

  it('explains the Global Catalog in the detection and in the doctor when the URL names port 3268', async (ctx) => {
    // The rig forwards the DC's 3268 to a free port; the advice keys on the port the admin typed,
    // so listen on 127.0.0.1:3268 itself and pass the bytes on (skipped when 3268 is taken).
    const gcPort = Number(new URL(dc.gcUrl.replace(/^ldap/, 'http')).port);
    const proxy = net.createServer((inbound) => {
      const out = net.connect(gcPort, '127.0.0.1');
      inbound.pipe(out).pipe(inbound);
      const close = () => (inbound.destroy(), out.destroy());
      inbound.on('error', close);
      out.on('error', close);
    });
    const listening = await new Promise<boolean>((resolve) => {
      proxy.once('error', () => resolve(false));
      proxy.listen(3268, '127.0.0.1', () => resolve(true));
    });
    if (!listening) return ctx.skip();
    try {
      const url = `ldap://127.0.0.1:3268/${dc.baseDn}`;
      const d = await detect(draft({ url, startTls: true, bindDn: dc.reader.upn, trustedCertificates: trusted() }), dc.reader.password);
      expect(d.baseDn).toBe(dc.baseDn);
      expect(d.globalCatalog).toMatch(/^Port 3268 is Active Directory's Global Catalog: .* only the partial attribute set of each entry/);
      const report = await runDoctor({ target: targetFromDraft(draft({ url, startTls: true, bindDn: dc.reader.upn, trustedCertificates: trusted() })), password: dc.reader.password });
      const search = report.stages.find((s) => s.name === 'search');
      expect(search?.ok).toBe(true);
      // The Global Catalog answers a domain-root search without references to the other partitions.
      expect(report.references ?? null).toBeNull();
      expect(search?.detail).toMatch(/matches for .*\. Port 3268 is Active Directory's Global Catalog/);
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });

  it('`ldap-sync server detect-base URL --starttls --ca FILE` reads the rootDSE anonymously over StartTLS', async () => {
    const r = await ldapSync(['server', 'detect-base', dc.ldapUrl, '--starttls', '--ca', dc.caFile, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ baseDn: dc.baseDn, kind: 'active-directory', boundAs: null, saved: false, url: `${dc.ldapUrl}/${dc.baseDn}` });
  });

  it('fails with the decoded bind error when the bind account is disabled', async () => {
    await expect(detect(draft({ url: dc.ldapsUrl, bindDn: dc.disabledReader.upn, trustedCertificates: trusted() }), dc.disabledReader.password)).rejects.toMatchObject({ code: 'BIND_ACCOUNT_DISABLED' });
  });
});
