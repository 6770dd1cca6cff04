import { readFileSync } from 'node:fs';
import tls, { type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import type { TrustedCertificate } from '../../src-shared/domain/server';

let systemCache: string[] | null = null;

/**
 * The certificate authorities this computer trusts: Node's bundled roots plus the operating system's
 * store (via `tls.getCACertificates` where the runtime has it, else the usual Linux bundle files).
 */
export function systemCaCertificates(): string[] {
  if (systemCache) return systemCache;
  const certs = new Set<string>(tls.rootCertificates);
  const getCa = (tls as unknown as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  if (typeof getCa === 'function') {
    for (const kind of ['system', 'extra']) {
      try {
        for (const c of getCa(kind)) certs.add(c);
      } catch {
        // kind not supported by this runtime
      }
    }
  } else {
    for (const file of ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt']) {
      try {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)) certs.add(m[0]);
        break;
      } catch {
        // not on this system
      }
    }
  }
  systemCache = [...certs];
  return systemCache;
}

/**
 * TLS options that always verify the server: the system CAs plus the certificates the admin trusted
 * for this server. A trusted certificate that is the server's own (leaf) also vouches for the host
 * name, so a mismatched name can be accepted by an explicit admin action, never silently.
 */
export function tlsOptionsFor(host: string, trusted: TrustedCertificate[]): ConnectionOptions {
  const trustedFingerprints = new Set(trusted.map((c) => c.fingerprint256.toUpperCase()));
  return {
    ca: [...systemCaCertificates(), ...trusted.map((c) => c.pem)],
    servername: isIP(host) ? undefined : host,
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    // Lets a trusted leaf or intermediate act as an anchor (Node >= 22.9; ignored by older runtimes).
    ...(trusted.length ? { allowPartialTrustChain: true } : {}),
    // Always against the URL's host: Node passes servername || host || 'localhost', and a TLS
    // socket made over an existing one (StartTLS, the doctor's probe) has neither, so an IP literal
    // (no SNI) was checked as "localhost". An IP literal matches IP SANs only (RFC 6125).
    checkServerIdentity: (_hostname: string, cert: PeerCertificate) => {
      if (cert.fingerprint256 && trustedFingerprints.has(cert.fingerprint256.toUpperCase())) return undefined;
      return tls.checkServerIdentity(host, cert);
    },
  } as ConnectionOptions;
}
