/**
 * The LDAP URL parser against two references over one table of vectors: libldap's own parser
 * (`ldapurl -H URL` from ldap-utils prints the components) and python-ldap's `ldapurl` module
 * (Debian's python3-ldap). For each vector the table says what RFC 4516 (with RFC 3986 hosts)
 * decides; our parser must decide the same and, when it accepts, find the same components as
 * each reference. Both references are lenient in places the RFC is not (they accept any
 * extension type, for example) or stricter (python-ldap wants a lower-case scheme): the table
 * names the reference and the vector, so a change in a reference shows up too.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseLdapUrl, type LdapUrl } from '../../src-shared/ldap/url';

type Reference = 'ldapurl' | 'python-ldap';

interface Vector {
  url: string;
  /** What RFC 4516 decides. */
  rfc: 'accept' | 'refuse';
  why: string;
  /** References known to accept what the RFC refuses. */
  lenient?: Reference[];
  /** References known to refuse what the RFC accepts. */
  strict?: Reference[];
  /** References whose printed components cannot be compared (libldap prints C strings: a NUL ends them). */
  noComponents?: Reference[];
}

const VECTORS: Vector[] = [
  // RFC 4516 section 4 examples (those naming a host: our parser requires one).
  { url: 'ldap://ldap1.example.net/o=University%20of%20Michigan,c=US', rfc: 'accept', why: 'RFC 4516 example' },
  { url: 'ldap://ldap1.example.net/o=University%20of%20Michigan,c=US?postalAddress', rfc: 'accept', why: 'RFC 4516 example' },
  { url: 'ldap://ldap1.example.net:6666/o=University%20of%20Michigan,c=US??sub?(cn=Babs%20Jensen)', rfc: 'accept', why: 'RFC 4516 example' },
  { url: 'LDAP://ldap1.example.com/c=GB?objectClass?ONE', rfc: 'accept', why: 'RFC 4516 example (python-ldap wants a lower-case scheme)', strict: ['python-ldap'] },
  { url: 'ldap://ldap2.example.com/o=Question%3f,c=US?mail', rfc: 'accept', why: 'RFC 4516 example' },
  { url: 'ldap://ldap3.example.com/o=Babsco,c=US???(four-octet=%5c00%5c00%5c00%5c04)', rfc: 'accept', why: 'RFC 4516 example' },
  { url: 'ldap://ldap.example.com/o=An%20Example%5C2C%20Inc.,c=US', rfc: 'accept', why: 'RFC 4516 example' },
  { url: 'ldap://ldap.example.net/?', rfc: 'accept', why: 'RFC 4516 example: the root DSE' },
  { url: 'ldap://h.example.net/??sub??e-bindname=cn=Manager%2cdc=example%2cdc=com', rfc: 'accept', why: 'RFC 4516 example' },
  { url: 'ldap://h.example.net/??sub??!e-bindname=cn=Manager%2cdc=example%2cdc=com', rfc: 'accept', why: 'RFC 4516 example' },
  // Hosts.
  { url: 'ldap://dir.example.com./dc=example,dc=com', rfc: 'accept', why: 'RFC 3986 3.2.2: a fully qualified name may end in "."' },
  { url: 'ldaps://Dir.Example.COM.:6636/dc=x?cn,mail?sub?(cn=a)', rfc: 'accept', why: 'trailing dot before a port' },
  { url: 'ldap://h./', rfc: 'accept', why: 'a one-label name with its trailing dot' },
  { url: 'ldap://[2001:db8::7]:389/c=GB', rfc: 'accept', why: 'IPv6 literal' },
  { url: 'ldap://192.0.2.10:1389/dc=x??one', rfc: 'accept', why: 'IPv4 address and port' },
  // Extensions.
  { url: 'ldap://h/dc=x????!1.3.6.1.4.1.1466.20037', rfc: 'accept', why: 'a critical extension named by numeric OID' },
  { url: 'ldap://h/dc=x????x-a=1,!x-b', rfc: 'accept', why: 'two extensions, one critical without a value' },
  { url: 'ldap://h/dc=x????e=', rfc: 'accept', why: 'an empty exvalue is an LDAPString' },
  { url: 'ldap://h/dc=x????x-nul=a%00b', rfc: 'accept', why: 'RFC 4516 2.1: extensions, and only they, may hold NUL bytes', noComponents: ['ldapurl'] },
  { url: 'ldap://h/dc=x???', rfc: 'accept', why: 'a third "?" with an empty filter' },
  { url: 'ldap://h/dc=x????', rfc: 'refuse', why: 'extensions = extension *(COMMA extension): a fourth "?" needs one', lenient: ['python-ldap'] },
  { url: 'ldap://h/dc=x?????', rfc: 'refuse', why: 'no part follows the extensions', lenient: ['python-ldap'] },
  { url: 'ldap://h/dc=x????1e=v', rfc: 'refuse', why: 'extype = oid: neither a descr nor a numericoid', lenient: ['ldapurl', 'python-ldap'] },
  { url: 'ldap://h/dc=x????x_y', rfc: 'refuse', why: 'descr allows letters, digits and "-" only', lenient: ['ldapurl', 'python-ldap'] },
  { url: 'ldap://h/dc=x????01.2', rfc: 'refuse', why: 'numericoid numbers have no leading zero', lenient: ['ldapurl', 'python-ldap'] },
  { url: 'ldap://h/dc=x????1.2.', rfc: 'refuse', why: 'numericoid ends with a number', lenient: ['ldapurl', 'python-ldap'] },
  { url: 'ldap://h/dc=x????=v', rfc: 'refuse', why: 'an extension needs a type', lenient: ['ldapurl', 'python-ldap'] },
  { url: 'ldap://h/dc=x????!', rfc: 'refuse', why: 'an extension needs a type', lenient: ['ldapurl', 'python-ldap'] },
  { url: 'ldap://h/dc=x????a,,b', rfc: 'refuse', why: 'an empty extension in the list', lenient: ['ldapurl', 'python-ldap'] },
  { url: 'ldap://h/dc=x????%00=v', rfc: 'refuse', why: 'a NUL in the extension type', lenient: ['ldapurl', 'python-ldap'] },
  // NUL outside the extensions.
  { url: 'ldap://h/dc=x%00', rfc: 'refuse', why: 'RFC 4516 2.1: no component but the extensions may hold a NUL', lenient: ['ldapurl', 'python-ldap'] },
  { url: 'ldap://h/dc=x???(cn=a%00)', rfc: 'refuse', why: 'RFC 4516 2.1 and RFC 4515: a NUL in a filter is written \\00', lenient: ['ldapurl', 'python-ldap'] },
];

/** The components our parser finds, in the references' terms (their defaults applied). */
interface Components {
  host: string;
  port: number;
  dn: string;
  attributes: string[];
  scope: 'base' | 'one' | 'sub';
  filter: string | null;
  extensions: string[];
}

function ours(url: LdapUrl): Components {
  return { host: url.host, port: url.port, dn: url.baseDn, attributes: url.attributes, scope: url.scope ?? 'base', filter: url.filter, extensions: url.extensions };
}

/** libldap: `ldapurl -H` prints `key: value` lines, or fails with "unable to parse URI". */
function viaLdapurl(url: string): Components | null {
  const run = spawnSync('ldapurl', ['-H', url], { encoding: 'utf8' });
  if (run.error) throw run.error;
  if (run.status !== 0) return null;
  const lines = run.stdout.split('\n').filter((l) => l !== '').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]);
  const one = (key: string) => lines.find(([k]) => k === key)?.[1];
  const all = (key: string) => lines.filter(([k]) => k === key).map(([, v]) => v);
  return {
    host: one('host')!.toLowerCase(),
    port: Number(one('port')),
    dn: one('dn') ?? '',
    attributes: all('selector'),
    scope: one('scope') as Components['scope'],
    filter: one('filter') ?? null,
    extensions: all('extension'),
  };
}

const PYTHON = `
import json, sys, ldapurl
out = []
for u in json.load(sys.stdin):
    try:
        l = ldapurl.LDAPUrl(u)
    except Exception as e:
        out.append(None); continue
    hostport = l.hostport
    if hostport.startswith('['):
        host, _, port = hostport[1:].partition(']')
        port = port[1:]
    else:
        host, _, port = hostport.partition(':')
    exts = []
    for e in (l.extensions or {}).values():
        exts.append(('!' if e.critical else '') + e.extype + ('' if e.exvalue is None else '=' + e.exvalue))
    out.append({'host': host.lower(), 'port': int(port) if port else (636 if l.urlscheme == 'ldaps' else 389), 'dn': l.dn or '',
        'attributes': l.attrs or [], 'scope': ['base', 'one', 'sub'][l.scope or 0], 'filter': l.filterstr, 'extensions': exts})
json.dump(out, sys.stdout)
`;

/** python-ldap, all vectors in one process (Debian's python3-ldap, hence /usr/bin/python3). */
function viaPythonLdap(urls: string[]): (Components | null)[] {
  const run = spawnSync('/usr/bin/python3', ['-c', PYTHON], { input: JSON.stringify(urls), encoding: 'utf8' });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`python-ldap reference failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as (Components | null)[];
}

describe('LDAP URLs: the same verdict and components as libldap and python-ldap', () => {
  const python = viaPythonLdap(VECTORS.map((v) => v.url));

  it.each(VECTORS.map((v, k) => [v.url, v, k] as const))('%s', (_url, vector, k) => {
    const parsed = parseLdapUrl(vector.url);
    expect(parsed.ok ? 'accept' : 'refuse', vector.why).toBe(vector.rfc);
    const references: [Reference, Components | null][] = [['ldapurl', viaLdapurl(vector.url)], ['python-ldap', python[k]]];
    for (const [name, found] of references) {
      const verdict = vector.lenient?.includes(name) ? 'accept' : vector.strict?.includes(name) ? 'refuse' : vector.rfc;
      expect(found === null ? 'refuse' : 'accept', `${name} on ${vector.url}`).toBe(verdict);
      if (parsed.ok && found !== null && !vector.noComponents?.includes(name)) {
        expect(ours(parsed.url), `components found by ${name}`).toEqual(found);
      }
    }
  });

  it('names the part of the URL and the fix when it refuses', () => {
    expect(parseLdapUrl('ldap://h/dc=x????')).toEqual({
      ok: false,
      part: 'extensions',
      position: 16,
      message: 'Extensions: nothing follows the "?" at position 16: remove that "?", or write an extension after it such as !StartTLS',
    });
    expect(parseLdapUrl('ldap://h/dc=x????1e=v')).toMatchObject({ part: 'extensions', position: 17, message: expect.stringContaining('"1e" at position 17 is not an extension type') });
  });
});
