/**
 * TLS to an IP-literal URL (ldaps://127.0.0.1, StartTLS on ldap://127.0.0.1): the certificate is
 * checked against the IP address, in the doctor and in every read alike. An IP SAN is right; a
 * certificate that names only DNS:localhost is wrong for 127.0.0.1 and fails at the TLS stage,
 * before any password is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeClient, connect } from '../../src-main/ldap/client';
import { runDoctor } from '../../src-main/ldap/doctor';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import { targetFromDraft } from '../../src-main/ldap/target';
import type { DoctorReport, StageResult } from '../../src-shared/domain/doctor';
import { emptyServerDraft, type ServerDraft } from '../../src-shared/domain/server';
import { startSlapd, type Slapd } from '../rig/slapd';

const stage = (r: DoctorReport, name: string): StageResult => r.stages.find((s) => s.name === name)!;

let ipOnly: Slapd;
let localhostOnly: Slapd;

beforeAll(async () => {
  [ipOnly, localhostOnly] = await Promise.all([startSlapd({ users: 5, tls: 'ip-only' }), startSlapd({ users: 5, tls: 'localhost-only' })]);
}, 60_000);
afterAll(async () => {
  await Promise.all([ipOnly?.stop(), localhostOnly?.stop()]);
});

/** A server draft for `s` trusting its CA, over ldaps:// or StartTLS. */
function draft(s: Slapd, mode: 'ldaps' | 'starttls'): ServerDraft {
  const url = mode === 'ldaps' ? `${s.ldapsUrl}/${s.baseDn}` : `${s.url}/${s.baseDn}`;
  return {
    ...emptyServerDraft(), name: 'Test', timeoutSeconds: 5, url, bindDn: s.syncDn, startTls: mode === 'starttls',
    trustedCertificates: [parseTrustedPem(s.pki.caCertPem, 'ca')],
  };
}

describe.each(['ldaps', 'starttls'] as const)('a certificate for an IP-literal URL, over %s', (mode) => {
  it('accepts a certificate whose IP SAN is the address, in the doctor and in a read', async () => {
    const r = await runDoctor({ target: targetFromDraft(draft(ipOnly, mode)), password: ipOnly.syncPw });
    expect(r.certificate).toBeNull();
    expect(stage(r, 'tls').ok).toBe(true);
    expect(r.error).toBeNull();
    expect(r.matches).toBe(5);
    const client = await connect(targetFromDraft(draft(ipOnly, mode)), ipOnly.syncPw);
    await closeClient(client);
  });

  it('refuses a certificate that names only DNS:localhost at the TLS stage, before the bind, in the doctor and in a read', async () => {
    const r = await runDoctor({ target: targetFromDraft(draft(localhostOnly, mode)), password: localhostOnly.syncPw });
    expect(stage(r, 'tls').ok).toBe(false);
    expect(r.certificate?.problem).toBe('hostname-mismatch');
    expect(r.certificate?.message).toMatch(/127\.0\.0\.1/);
    expect(stage(r, 'bind').ok).toBeNull();
    await expect(connect(targetFromDraft(draft(localhostOnly, mode)), localhostOnly.syncPw)).rejects.toMatchObject({ code: expect.stringMatching(/^TLS_/) });
  });
});
