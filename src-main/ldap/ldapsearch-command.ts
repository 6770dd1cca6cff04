import { matchAllFilter } from '../../src-shared/ldap/filter';
import { serverUrl, type LdapTarget } from './target';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The `ldapsearch` command that reproduces the doctor's match count in a terminal; prompts for the password. */
export function ldapsearchCommand(t: LdapTarget): string {
  const parts = ['ldapsearch', '-x', '-H', quote(serverUrl(t))];
  if (t.startTls) parts.push('-ZZ');
  if (!t.bindAnonymously) parts.push('-D', quote(t.bindDn), '-W');
  parts.push('-b', quote(t.baseDn), '-s', 'sub', '-E', 'pr=1000/noprompt', '-LLL', quote(matchAllFilter(t.searchFilter)), '1.1');
  return parts.join(' ');
}
