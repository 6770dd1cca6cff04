import { matchAllFilter } from '../../src-shared/ldap/filter';
import { writeTrustedCaFile } from './ca-file';
import { serverUrl } from './host-port';
import { pageSizeOf } from '../../src-shared/domain/page-size';
import type { LdapTarget } from './target';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Options of {@link ldapsearchFor}. */
export interface LdapsearchOptions {
  filter: string;
  /** Attribute names to ask for ('1.1' for none, '*' for all). */
  attributes: readonly string[];
  pageSize: number;
  /**
   * The PEM file of the trusted certificates for `LDAPTLS_CACERT=` (default: written by
   * ca-file.ts when the connection uses TLS and the server has trusted certificates; null: none).
   */
  caFile?: string | null;
}

/** True when the connection is encrypted (ldaps:// or StartTLS), so libldap verifies a certificate. */
const usesTls = (t: LdapTarget) => t.scheme === 'ldaps' || t.startTls;

/**
 * The `ldapsearch` command line for a paged subtree search of the target; prompts for the password.
 * With TLS and certificates trusted in the app, it starts with `LDAPTLS_CACERT=FILE` naming a file
 * holding them, so the line works when pasted into a shell.
 */
export function ldapsearchFor(t: LdapTarget, o: LdapsearchOptions): string {
  const parts: string[] = [];
  const ca = usesTls(t) ? (o.caFile === undefined ? writeTrustedCaFile(t.trusted) : o.caFile) : null;
  if (ca) parts.push(`LDAPTLS_CACERT=${quote(ca)}`);
  parts.push('ldapsearch', '-x', '-H', quote(serverUrl(t)));
  if (t.startTls) parts.push('-ZZ');
  if (!t.bindAnonymously) parts.push('-D', quote(t.bindDn), '-W');
  parts.push('-b', quote(t.baseDn), '-s', 'sub', '-E', `pr=${o.pageSize}/noprompt`, '-LLL', quote(o.filter));
  parts.push(...o.attributes.map((a) => (/^[A-Za-z0-9.;-]+$/.test(a) ? a : quote(a))));
  return parts.join(' ');
}

/** The `ldapsearch` command that reproduces the doctor's match count in a terminal (the server's page size); prompts for the password. */
export function ldapsearchCommand(t: LdapTarget, caFile?: string | null): string {
  return ldapsearchFor(t, { filter: matchAllFilter(t.searchFilter), attributes: ['1.1'], pageSize: pageSizeOf(t), caFile });
}
