import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './exec';

/** A PEM certificate and its private key, on disk and in memory. */
export interface CertPair {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

/** Everything {@link createTestPki} produced. */
export interface TestPki {
  /** Directory holding all files. */
  dir: string;
  /** Private CA certificate (self-signed, CA:true); trust this to accept `server`. */
  caCertPem: string;
  caCertFile: string;
  /** Leaf signed by the CA, SAN `IP:127.0.0.1, DNS:localhost`. */
  server: CertPair;
  /** Leaf signed by the CA, SAN only `DNS:wrong.example.test` (hostname mismatch for 127.0.0.1). */
  wrongHost: CertPair;
  /** Leaf signed by the CA for 127.0.0.1/localhost whose validity ended yesterday. */
  expired: CertPair;
  /** Self-signed leaf (CA:false) for 127.0.0.1/localhost, not issued by the CA. */
  selfSigned: CertPair;
  /** Leaf signed by the CA, SAN only `IP:127.0.0.1` (right for ldaps://127.0.0.1, no DNS name). */
  ipOnly: CertPair;
  /** Leaf signed by the CA, SAN only `DNS:localhost` (wrong for ldaps://127.0.0.1: an IP literal matches IP SANs only). */
  localhostOnly: CertPair;
}

const LOCAL_SAN = 'IP:127.0.0.1,DNS:localhost';
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A private openssl.cnf so the system config adds no surprise extensions. */
function opensslConf(dir: string): string {
  const leaf = (san: string) =>
    [
      'basicConstraints = critical,CA:false',
      'keyUsage = critical,digitalSignature',
      'extendedKeyUsage = serverAuth',
      'subjectKeyIdentifier = hash',
      `subjectAltName = ${san}`,
    ].join('\n');
  return `[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = placeholder
[ ca_ext ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ leaf_local ]
${leaf(LOCAL_SAN)}
authorityKeyIdentifier = keyid
[ leaf_wrong ]
${leaf('DNS:wrong.example.test')}
authorityKeyIdentifier = keyid
[ leaf_ip_only ]
${leaf('IP:127.0.0.1')}
authorityKeyIdentifier = keyid
[ leaf_localhost_only ]
${leaf('DNS:localhost')}
authorityKeyIdentifier = keyid
[ leaf_self ]
${leaf(LOCAL_SAN)}
[ ca ]
default_ca = test_ca
[ test_ca ]
database = ${path.join(dir, 'ca-db', 'index.txt')}
new_certs_dir = ${path.join(dir, 'ca-db')}
serial = ${path.join(dir, 'ca-db', 'serial')}
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
`;
}

/** `openssl ca` date format (YYYYMMDDHHMMSSZ, UTC). */
function caDate(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

async function pair(dir: string, name: string): Promise<CertPair> {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { certFile, keyFile, certPem, keyPem };
}

/** Key + CSR for a leaf called `name` with subject CN `cn`. */
async function newCsr(dir: string, conf: string, name: string, cn: string): Promise<string> {
  const csr = path.join(dir, `${name}.csr`);
  const key = path.join(dir, `${name}.key`);
  await run('openssl', ['req', '-config', conf, '-new', ...EC_KEY, '-keyout', key, '-subj', `/CN=${cn}`, '-out', csr]);
  return csr;
}

/** Leaf signed by the CA with `openssl x509 -req` (valid for 825 days from now). */
async function signLeaf(dir: string, conf: string, name: string, cn: string, ext: string, serial: number) {
  const csr = await newCsr(dir, conf, name, cn);
  const ca = ['-CA', path.join(dir, 'ca.crt'), '-CAkey', path.join(dir, 'ca.key')];
  await run('openssl', ['x509', '-req', '-in', csr, ...ca, '-set_serial', String(serial), '-days', '825', '-sha256',
    '-extfile', conf, '-extensions', ext, '-out', path.join(dir, `${name}.crt`)]);
}

/**
 * Expired leaf: openssl 3.0's `x509 -req` has no -not_before/-not_after (added in 3.4) and
 * `-days -1` yields notAfter < notBefore, so the mini-CA `openssl ca -startdate/-enddate` is used.
 */
async function signExpired(dir: string, conf: string) {
  const csr = await newCsr(dir, conf, 'expired', '127.0.0.1');
  const day = 86_400_000;
  const now = Date.now();
  await run('openssl', ['ca', '-config', conf, '-batch', '-notext', '-in', csr,
    '-cert', path.join(dir, 'ca.crt'), '-keyfile', path.join(dir, 'ca.key'),
    '-startdate', caDate(new Date(now - 30 * day)), '-enddate', caDate(new Date(now - day)),
    '-extensions', 'leaf_local', '-out', path.join(dir, 'expired.crt')]);
}

/**
 * Creates a throw-away PKI in `dir` (created if missing) with the openssl CLI and EC P-256 keys:
 * a private CA, a good server cert, a wrong-hostname cert, an expired cert and a self-signed leaf.
 */
export async function createTestPki(dir: string): Promise<TestPki> {
  await mkdir(path.join(dir, 'ca-db'), { recursive: true });
  const conf = path.join(dir, 'openssl.cnf');
  await Promise.all([
    writeFile(conf, opensslConf(dir)),
    writeFile(path.join(dir, 'ca-db', 'index.txt'), ''),
    writeFile(path.join(dir, 'ca-db', 'serial'), '1000\n'),
  ]);
  const caCertFile = path.join(dir, 'ca.crt');
  await run('openssl', ['req', '-config', conf, '-x509', ...EC_KEY, '-keyout', path.join(dir, 'ca.key'),
    '-subj', '/CN=LDAP Sync Studio Test CA', '-days', '3650', '-sha256', '-extensions', 'ca_ext', '-out', caCertFile]);
  await Promise.all([
    signLeaf(dir, conf, 'server', '127.0.0.1', 'leaf_local', 2),
    signLeaf(dir, conf, 'wrong-host', 'wrong.example.test', 'leaf_wrong', 3),
    signLeaf(dir, conf, 'ip-only', '127.0.0.1', 'leaf_ip_only', 4),
    signLeaf(dir, conf, 'localhost-only', 'localhost', 'leaf_localhost_only', 5),
    signExpired(dir, conf),
    run('openssl', ['req', '-config', conf, '-x509', ...EC_KEY, '-keyout', path.join(dir, 'self-signed.key'),
      '-subj', '/CN=127.0.0.1', '-days', '825', '-sha256', '-extensions', 'leaf_self',
      '-out', path.join(dir, 'self-signed.crt')]),
  ]);
  const [caCertPem, server, wrongHost, expired, selfSigned, ipOnly, localhostOnly] = await Promise.all([
    readFile(caCertFile, 'utf8'),
    pair(dir, 'server'),
    pair(dir, 'wrong-host'),
    pair(dir, 'expired'),
    pair(dir, 'self-signed'),
    pair(dir, 'ip-only'),
    pair(dir, 'localhost-only'),
  ]);
  return { dir, caCertPem, caCertFile, server, wrongHost, expired, selfSigned, ipOnly, localhostOnly };
}
