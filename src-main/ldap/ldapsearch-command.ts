import { matchAllFilter } from '../../src-shared/ldap/filter';
import { serverUrl } from './host-port';
import type { LdapTarget } from './target';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Options of {@link ldapsearchFor}. */
export interface LdapsearchOptions {
  filter: string;
  /** Attribute names to ask for ('1.1' for none, '*' for all). */
  attributes: readonly string[];
  pageSize: number;
}

/** The `ldapsearch` command line for a paged subtree search of the target; prompts for the password. */
export function ldapsearchFor(t: LdapTarget, o: LdapsearchOptions): string {
  const parts = ['ldapsearch', '-x', '-H', quote(serverUrl(t))];
  if (t.startTls) parts.push('-ZZ');
  if (!t.bindAnonymously) parts.push('-D', quote(t.bindDn), '-W');
  parts.push('-b', quote(t.baseDn), '-s', 'sub', '-E', `pr=${o.pageSize}/noprompt`, '-LLL', quote(o.filter));
  parts.push(...o.attributes.map((a) => (/^[A-Za-z0-9.;-]+$/.test(a) ? a : quote(a))));
  return parts.join(' ');
}

/** The `ldapsearch` command that reproduces the doctor's match count in a terminal; prompts for the password. */
export function ldapsearchCommand(t: LdapTarget): string {
  return ldapsearchFor(t, { filter: matchAllFilter(t.searchFilter), attributes: ['1.1'], pageSize: 1000 });
}
