import type { CertPair } from './certs';
import { LIMITED_DN, ROOT_DN, SUFFIX, SYNC_DN } from './directory-data';

/** Inputs of {@link renderSlapdConf}. */
export interface SlapdConfInput {
  dir: string;
  rootPw: string;
  caCertFile: string;
  cert: CertPair;
  /** Add the `limits` line capping the limited account at 500 entries. */
  limitedAccount: boolean;
}

/** Quotes a slapd.conf value. */
function q(v: string): string {
  return `"${v.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * slapd.conf for one rig instance: standard schemas, back_mdb, TLS files, read-for-all ACLs
 * (userPassword only usable for binding) and size limits (global 500, sync account unlimited).
 */
export function renderSlapdConf(c: SlapdConfInput): string {
  const lines = [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    'include /etc/ldap/schema/nis.schema',
    `pidfile ${q(`${c.dir}/slapd.pid`)}`,
    `argsfile ${q(`${c.dir}/slapd.args`)}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    `TLSCACertificateFile ${q(c.caCertFile)}`,
    `TLSCertificateFile ${q(c.cert.certFile)}`,
    `TLSCertificateKeyFile ${q(c.cert.keyFile)}`,
    'TLSVerifyClient never',
    // Default for everyone who has no `limits` entry (anonymous included); paged searches are
    // capped at the hard limit too (size.prtotal defaults to it), i.e. 500 entries in total.
    'sizelimit 500',
    'access to dn.base="" by * read',
    'access to dn.base="cn=Subschema" by * read',
    'database mdb',
    `suffix ${q(SUFFIX)}`,
    `rootdn ${q(ROOT_DN)}`,
    `rootpw ${q(c.rootPw)}`,
    `directory ${q(`${c.dir}/data`)}`,
    'maxsize 4294967296',
    `limits dn.exact=${q(SYNC_DN)} size=unlimited time=unlimited`,
    ...(c.limitedAccount ? [`limits dn.exact=${q(LIMITED_DN)} size.soft=500 size.hard=500`] : []),
    'index objectClass eq',
    'index uid eq',
    'access to attrs=userPassword by anonymous auth by * none',
    'access to * by * read',
    '',
  ];
  return lines.join('\n');
}
