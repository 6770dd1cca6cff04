import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate } from 'node:tls';
import type { CertificateInfo, CertificateIssue, CertificateProblem } from '../../src-shared/domain/doctor';
import type { TrustedCertificate } from '../../src-shared/domain/server';
import { AppError } from '../../src-shared/errors';

const UNKNOWN_ISSUER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** Maps Node/OpenSSL verification codes to the reason the doctor shows. */
export function classifyCertificateError(code: string | undefined): CertificateProblem {
  if (!code) return 'other';
  if (UNKNOWN_ISSUER.has(code)) return 'unknown-issuer';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'hostname-mismatch';
  if (code === 'CERT_HAS_EXPIRED') return 'expired';
  if (code === 'CERT_NOT_YET_VALID') return 'not-yet-valid';
  return 'other';
}

function toPem(raw: Buffer): string {
  const b64 = raw.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** Describes a DER certificate as the doctor shows it. */
export function describeCertificate(raw: Buffer): CertificateInfo {
  const x = new X509Certificate(raw);
  return {
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    validFrom: new Date(x.validFrom).toISOString(),
    validTo: new Date(x.validTo).toISOString(),
    fingerprint256: x.fingerprint256,
    pem: toPem(raw),
    subjectAltName: x.subjectAltName ?? undefined,
  };
}

/** The chain the server presented, leaf first (stops at a self-signed certificate). */
export function presentedChain(leaf: DetailedPeerCertificate): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let c: DetailedPeerCertificate | undefined = leaf;
  while (c && c.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(c.raw);
    c = c.issuerCertificate;
  }
  return out;
}

const REASONS: Record<CertificateProblem, string> = {
  'unknown-issuer': 'The certificate was issued by an authority this computer does not trust (unknown issuer).',
  'hostname-mismatch': 'The certificate does not name this host (host name mismatch).',
  expired: 'The certificate has expired.',
  'not-yet-valid': 'The certificate is not valid yet.',
  other: 'The certificate could not be verified.',
};

/** Builds what the doctor shows about a certificate it could not verify. */
export function certificateIssue(code: string | undefined, detail: string, chain: Buffer[], host: string): CertificateIssue {
  const problem = classifyCertificateError(code);
  const leaf = describeCertificate(chain[0]);
  const top = chain.length > 1 ? new X509Certificate(chain[chain.length - 1]) : null;
  // For an unknown issuer, trust the root the server sent (self-signed) when it sent one; otherwise the leaf.
  const proposed = problem === 'unknown-issuer' && top && top.checkIssued(top) ? describeCertificate(chain[chain.length - 1]) : leaf;
  const trustable = problem === 'unknown-issuer' || problem === 'hostname-mismatch';
  let message = detail ? `${REASONS[problem]} (Verifier: ${detail.replace(/\.$/, '')}.)` : REASONS[problem];
  if (problem === 'hostname-mismatch') message += ` The certificate names ${leaf.subjectAltName ?? leaf.subject}, not ${host}.`;
  if (problem === 'expired') message += ` It expired on ${leaf.validTo}. Renew it on the server; trusting it would not help.`;
  if (problem === 'not-yet-valid') message += ` It is valid from ${leaf.validFrom}. Check the clocks of this computer and the server.`;
  if (trustable) message += ' If you know this certificate is the right one, trust it for this server.';
  return { problem, message, leaf, proposed, trustable };
}

/** Checks a certificate supplied by the admin (form or config file) and recomputes its facts from the PEM. */
export function parseTrustedPem(pem: string, where: string): TrustedCertificate {
  let x: X509Certificate;
  try {
    x = new X509Certificate(pem);
  } catch {
    throw new AppError('INVALID_INPUT', `${where}: not a PEM certificate. Provide a file that starts with -----BEGIN CERTIFICATE-----.`, [
      { path: where, message: 'not a PEM certificate' },
    ]);
  }
  const info = describeCertificate(x.raw);
  return { fingerprint256: info.fingerprint256, subject: info.subject, issuer: info.issuer, validFrom: info.validFrom, validTo: info.validTo, pem: info.pem };
}
