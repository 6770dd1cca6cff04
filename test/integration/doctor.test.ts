import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { runDoctor } from '../../src-main/ldap/doctor';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import { targetFromDraft } from '../../src-main/ldap/target';
import type { DoctorReport, StageResult } from '../../src-shared/domain/doctor';
import { emptyServerDraft, type ServerDraft } from '../../src-shared/domain/server';
import { closedPort, startHangListener } from '../rig/hang-listener';
import { parseOps, startSlapd, type Slapd } from '../rig/slapd';

function draft(over: Partial<ServerDraft>): ServerDraft {
  return { ...emptyServerDraft(), name: 'Test', timeoutSeconds: 5, ...over };
}

const stage = (r: DoctorReport, name: string): StageResult => r.stages.find((s) => s.name === name)!;

describe('connection doctor against a real slapd', () => {
  let slapd: Slapd;
  beforeAll(async () => {
    slapd = await startSlapd({ users: 1200, logOps: true });
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  const plain = (over: Partial<ServerDraft> = {}) =>
    draft({ url: `${slapd.url}/${slapd.baseDn}`, bindDn: slapd.syncDn, ...over });

  it('passes every stage and counts matches above 1000 exactly', async () => {
    const seen: string[] = [];
    const r = await runDoctor({ target: targetFromDraft(plain()), password: slapd.syncPw, onStage: (s) => seen.push(s.name) });
    expect(r.error).toBeNull();
    expect(r.reachable).toBe(true);
    expect(r.bindable).toBe(true);
    expect(r.matches).toBe(1200);
    expect(seen).toEqual(['dns', 'tcp', 'tls', 'bind', 'base', 'search']);
    expect(stage(r, 'tls').ok).toBeNull(); // plain ldap:// without StartTLS: not encrypted, flagged
    expect(stage(r, 'tls').detail).toMatch(/clear text/);
    for (const s of r.stages) expect(s.ms).toBeGreaterThanOrEqual(0);
    expect(r.ldapsearch).toContain("-E pr=1000/noprompt");
    expect(r.ldapsearch).not.toContain(slapd.syncPw);
  });

  it('counts only what the filter matches, with ? replaced by *', async () => {
    const r = await runDoctor({
      target: targetFromDraft(plain({ searchFilter: '(&(objectClass=inetOrgPerson)(employeeType=contractor)(uid=?))' })),
      password: slapd.syncPw,
    });
    expect(r.error).toBeNull();
    expect(r.matches).toBeGreaterThan(0);
    expect(r.matches).toBeLessThan(1200);
  });

  it('sends escaped UTF-8 in the filter as the same bytes as the literal characters', async () => {
    const count = async (f: string) => (await runDoctor({ target: targetFromDraft(plain({ searchFilter: f })), password: slapd.syncPw })).matches;
    const literal = await count('(&(sn=Müller)(uid=?))');
    expect(literal).toBeGreaterThan(0);
    expect(await count('(&(sn=M\\c3\\bcller)(uid=?))')).toBe(literal);
  });

  it('reports a wrong password as invalid credentials with the DN used', async () => {
    const r = await runDoctor({ target: targetFromDraft(plain()), password: 'wrong' });
    expect(r.reachable).toBe(true);
    expect(r.bindable).toBe(false);
    expect(stage(r, 'bind').ok).toBe(false);
    expect(stage(r, 'bind').error?.code).toBe('INVALID_CREDENTIALS');
    expect(stage(r, 'bind').error?.message).toMatch(/invalid credentials/i);
    expect(stage(r, 'bind').error?.message).toContain(slapd.syncDn);
    expect(stage(r, 'base').ok).toBeNull();
    expect(stage(r, 'search').ok).toBeNull();
  });

  it('says the search was cut short by a size limit and suggests the fix', async () => {
    const r = await runDoctor({ target: targetFromDraft(plain({ bindDn: slapd.limitedDn })), password: slapd.limitedPw });
    expect(stage(r, 'bind').ok).toBe(true);
    expect(stage(r, 'search').ok).toBe(false);
    expect(r.error?.code).toBe('SIZE_LIMIT');
    expect(r.error?.message).toMatch(/size limit/i);
    expect(r.error?.message).toMatch(/raise the size limit/i);
    expect(r.matches).toBeNull();
  });

  it('reports a search base that does not exist', async () => {
    const r = await runDoctor({ target: targetFromDraft(plain({ url: `${slapd.url}/ou=nobody,${slapd.suffix}` })), password: slapd.syncPw });
    expect(stage(r, 'base').ok).toBe(false);
    expect(r.error?.code).toBe('NO_SUCH_BASE');
    expect(r.error?.message).toContain('ou=nobody');
  });

  it('binds anonymously when asked', async () => {
    const r = await runDoctor({ target: targetFromDraft(plain({ bindAnonymously: true, bindDn: '' })), password: null });
    expect(stage(r, 'bind').ok).toBe(true);
    expect(stage(r, 'bind').detail).toMatch(/anonymous/i);
  });

  it('refuses a non-anonymous bind without a password instead of binding anonymously', async () => {
    const r = await runDoctor({ target: targetFromDraft(plain()), password: null });
    expect(stage(r, 'bind').error?.code).toBe('PASSWORD_REQUIRED');
  });

  it('shows the address and port of a closed port', async () => {
    const port = await closedPort();
    const r = await runDoctor({ target: targetFromDraft(plain({ url: `ldap://127.0.0.1:${port}/${slapd.baseDn}` })), password: 'x' });
    expect(r.reachable).toBe(false);
    expect(stage(r, 'tcp').error?.code).toBe('CONNECT_REFUSED');
    expect(stage(r, 'tcp').error?.message).toContain(`127.0.0.1:${port}`);
    expect(stage(r, 'bind').ok).toBeNull();
  });

  it('times out on a listener that never answers, reporting the seconds waited', async () => {
    const hang = await startHangListener();
    try {
      const r = await runDoctor({ target: targetFromDraft(plain({ url: `ldap://127.0.0.1:${hang.port}/${slapd.baseDn}`, timeoutSeconds: 1 })), password: 'x' });
      expect(stage(r, 'tcp').ok).toBe(true);
      expect(stage(r, 'bind').ok).toBe(false);
      expect(r.error?.code).toBe('TIMEOUT');
      expect(r.error?.message).toMatch(/within 1 s/);
      const tls = await runDoctor({ target: targetFromDraft(plain({ url: `ldaps://127.0.0.1:${hang.port}/${slapd.baseDn}`, timeoutSeconds: 1 })), password: 'x' });
      expect(stage(tls, 'tls').error?.code).toBe('TIMEOUT');
    } finally {
      await hang.close();
    }
  });

  it('times out when the directory stops answering (SIGSTOP)', async () => {
    await slapd.pause();
    try {
      const r = await runDoctor({ target: targetFromDraft(plain({ timeoutSeconds: 1 })), password: slapd.syncPw });
      expect(r.error?.code).toBe('TIMEOUT');
      expect(r.error?.message).toContain(`127.0.0.1:${slapd.ldapPort}`);
    } finally {
      slapd.resume();
    }
  });

  it('can be cancelled', async () => {
    const hang = await startHangListener();
    try {
      const controller = new AbortController();
      const p = runDoctor({ target: targetFromDraft(plain({ url: `ldap://127.0.0.1:${hang.port}/${slapd.baseDn}`, timeoutSeconds: 30 })), password: 'x', signal: controller.signal });
      setTimeout(() => controller.abort(), 200);
      const r = await p;
      expect(r.error?.code).toBe('CANCELLED');
    } finally {
      await hang.close();
    }
  });

  it('sends only bind, search, unbind and StartTLS to the directory', async () => {
    const before = (await slapd.readOpLog()).length;
    const trusted = [parseTrustedPem(slapd.pki.caCertPem, 'ca')];
    await runDoctor({ target: targetFromDraft(plain()), password: slapd.syncPw });
    await runDoctor({ target: targetFromDraft(plain({ startTls: true, trustedCertificates: trusted })), password: slapd.syncPw });
    await runDoctor({ target: targetFromDraft(plain({ url: `${slapd.ldapsUrl}/${slapd.baseDn}`, trustedCertificates: trusted })), password: slapd.syncPw });
    const lines = (await slapd.readOpLog()).slice(before);
    const ops = parseOps(lines);
    expect(ops).toContain('BIND');
    expect(ops).toContain('SRCH');
    expect(ops).toContain('UNBIND');
    expect(ops).toContain('EXT 1.3.6.1.4.1.1466.20037');
    const allowed = new Set(['BIND', 'SRCH', 'UNBIND', 'EXT 1.3.6.1.4.1.1466.20037']);
    expect(ops.filter((o) => !allowed.has(o))).toEqual([]);
  });
});

describe('connection doctor and TLS certificates', () => {
  const servers: Slapd[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });
  async function start(tls: 'ca' | 'wrong-host' | 'expired' | 'self-signed') {
    const s = await startSlapd({ users: 5, tls });
    servers.push(s);
    return s;
  }
  const ldaps = (s: Slapd, over: Partial<ServerDraft> = {}) => draft({ url: `${s.ldapsUrl}/${s.baseDn}`, bindDn: s.syncDn, ...over });

  it('shows an untrusted certificate with its details, then passes once the admin trusts it', async () => {
    const s = await start('ca');
    const r = await runDoctor({ target: targetFromDraft(ldaps(s)), password: s.syncPw });
    expect(r.bindable).toBe(false);
    expect(stage(r, 'tls').ok).toBe(false);
    expect(stage(r, 'tls').error?.code).toBe('TLS_UNTRUSTED');
    expect(stage(r, 'bind').ok).toBeNull(); // no password is sent over an unverified connection
    const c = r.certificate!;
    expect(c.problem).toBe('unknown-issuer');
    expect(c.trustable).toBe(true);
    expect(c.leaf.subject).toBeTruthy();
    expect(c.leaf.issuer).toBeTruthy();
    expect(c.leaf.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(new Date(c.leaf.validTo).getTime()).toBeGreaterThan(Date.now());
    // The proposal is the CA the server sent, so the trust survives a renewed server certificate.
    expect(c.proposed.fingerprint256).toBe(new X509Certificate(s.pki.caCertPem).fingerprint256);

    const trusted = [parseTrustedPem(c.proposed.pem, 'proposed')];
    const again = await runDoctor({ target: targetFromDraft(ldaps(s, { trustedCertificates: trusted })), password: s.syncPw });
    expect(again.error).toBeNull();
    expect(again.matches).toBe(5);
    expect(stage(again, 'tls').detail).toMatch(/verified/);
  });

  it('verifies StartTLS the same way', async () => {
    const s = servers[0] ?? (await start('ca'));
    const d = draft({ url: `${s.url}/${s.baseDn}`, bindDn: s.syncDn, startTls: true });
    const r = await runDoctor({ target: targetFromDraft(d), password: s.syncPw });
    expect(r.certificate?.problem).toBe('unknown-issuer');
    const ok = await runDoctor({ target: targetFromDraft({ ...d, trustedCertificates: [parseTrustedPem(s.pki.caCertPem, 'ca')] }), password: s.syncPw });
    expect(ok.error).toBeNull();
    expect(stage(ok, 'tls').ok).toBe(true);
    expect(ok.matches).toBe(5);
  });

  it('names a host name mismatch even when the CA is trusted, and trusting the certificate accepts it', async () => {
    const s = await start('wrong-host');
    const ca = parseTrustedPem(s.pki.caCertPem, 'ca');
    const r = await runDoctor({ target: targetFromDraft(ldaps(s, { trustedCertificates: [ca] })), password: s.syncPw });
    expect(r.certificate?.problem).toBe('hostname-mismatch');
    expect(r.certificate?.message).toMatch(/wrong\.example\.test/);
    expect(r.certificate?.proposed.fingerprint256).toBe(r.certificate?.leaf.fingerprint256);
    const leaf = parseTrustedPem(r.certificate!.proposed.pem, 'leaf');
    const ok = await runDoctor({ target: targetFromDraft(ldaps(s, { trustedCertificates: [ca, leaf] })), password: s.syncPw });
    expect(ok.error).toBeNull();
  });

  it('reports an expired certificate as expired and does not offer to trust it', async () => {
    const s = await start('expired');
    const ca = parseTrustedPem(s.pki.caCertPem, 'ca');
    const r = await runDoctor({ target: targetFromDraft(ldaps(s, { trustedCertificates: [ca] })), password: s.syncPw });
    expect(r.certificate?.problem).toBe('expired');
    expect(r.certificate?.trustable).toBe(false);
    expect(r.error?.message).toMatch(/expired/i);
  });

  it('accepts a trusted self-signed certificate', async () => {
    const s = await start('self-signed');
    const r = await runDoctor({ target: targetFromDraft(ldaps(s)), password: s.syncPw });
    expect(r.certificate?.problem).toBe('unknown-issuer');
    const ok = await runDoctor({ target: targetFromDraft(ldaps(s, { trustedCertificates: [parseTrustedPem(r.certificate!.proposed.pem, 'p')] })), password: s.syncPw });
    expect(ok.error).toBeNull();
  });
});
