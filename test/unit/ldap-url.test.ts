import { describe, expect, it } from 'vitest';
import { formatLdapUrl, parseLdapUrl, type LdapUrl } from '../../src-shared/ldap/url';

function urlOf(text: string): LdapUrl {
  const result = parseLdapUrl(text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${result.message}`);
  return result.url;
}

function failureOf(text: string): { message: string; position?: number } {
  const result = parseLdapUrl(text);
  if (result.ok) throw new Error(`expected ${text} to be refused`);
  return { message: result.message, position: result.position };
}

const UMICH = 'o=University of Michigan,c=US';

describe('parseLdapUrl with the RFC 4516 section 4 examples', () => {
  it('refuses the empty host of ldap:///o=University%20of%20Michigan,c=US', () => {
    expect(failureOf('ldap:///o=University%20of%20Michigan,c=US')).toEqual({
      message: "Enter the server's host name, e.g. ldap://dir.example.com/ou=people,dc=example,dc=com",
      position: 7,
    });
  });

  it('parses host and percent-decoded base DN with default port', () => {
    expect(urlOf('ldap://ldap1.example.net/o=University%20of%20Michigan,c=US')).toEqual({
      scheme: 'ldap',
      host: 'ldap1.example.net',
      port: 389,
      portExplicit: false,
      baseDn: UMICH,
      attributes: [],
      scope: null,
      filter: null,
      extensions: [],
    });
  });

  it('parses an attribute list', () => {
    expect(urlOf('ldap://ldap1.example.net/o=University%20of%20Michigan,c=US?postalAddress').attributes).toEqual(['postalAddress']);
  });

  it('parses an explicit port, scope and percent-decoded filter', () => {
    expect(urlOf('ldap://ldap1.example.net:6666/o=University%20of%20Michigan,c=US??sub?(cn=Babs%20Jensen)')).toMatchObject({
      port: 6666,
      portExplicit: true,
      baseDn: UMICH,
      attributes: [],
      scope: 'sub',
      filter: '(cn=Babs Jensen)',
    });
  });

  it('reads scheme and scope case-insensitively', () => {
    expect(urlOf('LDAP://ldap1.example.com/c=GB?objectClass?ONE')).toMatchObject({ scheme: 'ldap', baseDn: 'c=GB', attributes: ['objectClass'], scope: 'one' });
  });

  it('decodes %3f in the DN as a literal "?"', () => {
    expect(urlOf('ldap://ldap2.example.com/o=Question%3f,c=US?mail')).toMatchObject({ baseDn: 'o=Question?,c=US', attributes: ['mail'] });
  });

  it('decodes a filter holding escaped bytes', () => {
    expect(urlOf('ldap://ldap3.example.com/o=Babsco,c=US???(four-octet=%5c00%5c00%5c00%5c04)').filter).toBe('(four-octet=\\00\\00\\00\\04)');
  });

  it('keeps a DN escape that was percent-encoded', () => {
    expect(urlOf('ldap://ldap.example.com/o=An%20Example%5C2C%20Inc.,c=US').baseDn).toBe('o=An Example\\2C Inc.,c=US');
  });

  it('parses a bracketed IPv6 host', () => {
    expect(urlOf('ldap://[2001:db8::7]/c=GB')).toMatchObject({ host: '2001:db8::7', port: 389, baseDn: 'c=GB' });
    expect(urlOf('ldaps://[::FFFF:192.0.2.1]:6636/c=GB')).toMatchObject({ host: '::ffff:192.0.2.1', port: 6636 });
  });
});

describe('parseLdapUrl hosts, ports and schemes', () => {
  it('defaults ldaps to port 636 and lower-cases the host', () => {
    expect(urlOf('ldaps://DIR.Example.com/dc=example,dc=com')).toMatchObject({ scheme: 'ldaps', host: 'dir.example.com', port: 636, portExplicit: false });
  });

  it('accepts IPv4 hosts, explicit default ports and a URL without a path', () => {
    expect(urlOf('ldap://192.0.2.10:389/dc=x')).toMatchObject({ host: '192.0.2.10', port: 389, portExplicit: true });
    expect(urlOf('ldap://dir.example.com')).toMatchObject({ baseDn: '', port: 389 });
    expect(urlOf('  ldap://dir.example.com/  ').baseDn).toBe('');
  });

  it('accepts ports from 1 to 65535', () => {
    expect(urlOf('ldap://h:1/dc=x').port).toBe(1);
    expect(urlOf('ldap://h:65535/dc=x').port).toBe(65535);
  });

  it('refuses ports out of range, not numeric or empty', () => {
    expect(failureOf('ldap://h:0/dc=x')).toMatchObject({ position: 9, message: expect.stringContaining('Port: "0" at position 9 is not a number between 1 and 65535') });
    expect(failureOf('ldap://h:65536/dc=x').message).toContain('Port:');
    expect(failureOf('ldap://h:38a/dc=x').message).toContain('Port:');
    expect(failureOf('ldap://h:/dc=x').message).toContain('enter a number after ":"');
  });

  it('refuses other schemes, naming the supported ones', () => {
    for (const text of ['ldapi:///var/run/slapd.sock', 'http://dir.example.com/', 'LDAPI://x/']) {
      expect(failureOf(text).message).toContain('only ldap:// and ldaps:// are supported');
    }
    expect(failureOf('dir.example.com/dc=x').message).toContain('Start the URL with ldap:// or ldaps://');
    expect(failureOf('ldap:dir.example.com').message).toContain('Expected "//"');
  });

  it('refuses an empty URL, user info, bad hosts and unbracketed IPv6', () => {
    expect(failureOf('').message).toContain("Enter the server's URL");
    expect(failureOf('ldap://').message).toContain("Enter the server's host name");
    expect(failureOf('ldap://admin@dir.example.com/dc=x').message).toContain('Bind DN field');
    expect(failureOf('ldap://dir example.com/dc=x')).toMatchObject({ position: 10 });
    expect(failureOf('ldap://-bad-.example.com/dc=x').message).toContain('not a valid host name');
    expect(failureOf('ldap://300.1.1.1/dc=x').message).toContain('not a valid host name or IPv4 address');
    expect(failureOf('ldap://2001:db8::7/c=GB').message).toContain('square brackets');
    expect(failureOf('ldap://[2001:db8::7:::1]/c=GB').message).toContain('not a valid IPv6 address');
    expect(failureOf('ldap://[2001:db8::7/c=GB').message).toContain('missing "]"');
  });
});

describe('parseLdapUrl search base and query parts', () => {
  it('refuses an invalid DN with a position in the URL text', () => {
    const failure = failureOf('ldap://h/ou=people,dc');
    expect(failure).toEqual({ message: 'Search base: Expected "=" after attribute type "dc" at position 21', position: 21 });
  });

  it('maps DN positions through percent-encoding', () => {
    expect(failureOf('ldap://h/cn=%C4%8D%C4%8D;x').position).toBe(24);
  });

  it('tolerates raw spaces in the base DN', () => {
    expect(urlOf('ldap://h/ou=people, dc=example, dc=com').baseDn).toBe('ou=people, dc=example, dc=com');
  });

  it('refuses bad percent-encoding and non-UTF-8 bytes', () => {
    expect(failureOf('ldap://h/cn=100%')).toMatchObject({ position: 15, message: expect.stringContaining('write %25') });
    expect(failureOf('ldap://h/cn=%ff').message).toContain('not valid UTF-8');
  });

  it('refuses a bad scope, attribute, filter or too many parts', () => {
    expect(failureOf('ldap://h/dc=x??subtree')).toMatchObject({ position: 15, message: expect.stringContaining('Scope:') });
    expect(failureOf('ldap://h/dc=x?cn,,sn').message).toContain('Attributes: empty entry');
    expect(failureOf('ldap://h/dc=x?c n').message).toContain('Attributes:');
    expect(failureOf('ldap://h/dc=x???(cn=a')).toMatchObject({ position: 21, message: expect.stringContaining('Filter: Unbalanced parenthesis') });
    expect(failureOf('ldap://h/dc=x???(uid=?)')).toMatchObject({ position: 21, message: expect.stringContaining('write a literal "?" as %3F') });
    expect(failureOf('ldap://h/dc=x?cn?sub?(cn=a)?e?f')).toMatchObject({ position: 29, message: expect.stringContaining('Too many "?"') });
  });

  it('parses extensions', () => {
    expect(urlOf('ldap://h/dc=x????!StartTLS,bindname=cn=Manager%2cdc=x').extensions).toEqual(['!StartTLS', 'bindname=cn=Manager,dc=x']);
  });
});

describe('parseLdapUrl extensions as RFC 4516 writes them', () => {
  it('refuses a fourth "?" with no extension after it, pointing at that "?"', () => {
    expect(failureOf('ldap://h/dc=x????')).toEqual({
      message: 'Extensions: nothing follows the "?" at position 16: remove that "?", or write an extension after it such as !StartTLS',
      position: 16,
    });
    expect(failureOf('ldap://h/????').position).toBe(12);
  });

  it('still accepts a third "?" with nothing after it (an empty filter part)', () => {
    expect(urlOf('ldap://h/dc=x???')).toMatchObject({ filter: null, extensions: [] });
  });

  it('accepts extension types that are descriptors or numeric OIDs, critical or not', () => {
    expect(urlOf('ldap://h/dc=x????x-Bind-2=a,!1.3.6.1.4.1.1466.20037,0.1').extensions).toEqual(['x-Bind-2=a', '!1.3.6.1.4.1.1466.20037', '0.1']);
    expect(urlOf('ldap://h/dc=x????%21e=v').extensions).toEqual(['!e=v']);
  });

  it.each(['1e=v', 'x_y', '01.2', '1.2.', '.1', '-x', 'a b', '!!e', '!=v', '=v', '!', 'e%00=v'])('refuses the extension type of %s and says what a type is', (extension) => {
    const failure = failureOf(`ldap://h/dc=x????${extension}`);
    expect(failure.position).toBe(17);
    expect(failure.message).toMatch(/^Extensions: .* at position 17 (is not an extension type|has no type): start the extension with a name such as bindname/);
  });

  it('accepts a percent-encoded NUL in an extension value, which RFC 4516 2.1 allows there and only there', () => {
    expect(urlOf('ldap://h/dc=x????x-a=a%00b').extensions).toEqual(['x-a=a\0b']);
    expect(failureOf('ldap://h/dc=x%00').message).toContain('Search base: NUL character');
    expect(failureOf('ldap://h/dc=x???(cn=%00)').message).toContain('Filter: NUL character');
  });

  it('refuses a raw NUL anywhere in the URL text', () => {
    expect(failureOf('ldap://h/dc=x????x-a=a\0b')).toEqual({ message: 'The URL holds a NUL character at position 22: remove it', position: 22 });
  });

  it('tells which part of the URL a refusal is about', () => {
    const partOf = (text: string) => {
      const result = parseLdapUrl(text);
      return result.ok ? null : result.part;
    };
    expect(['ftp://h/', 'ldap://h:0/', 'ldap://h h/', 'ldap://h/dc', 'ldap://h/dc=x?a,,b', 'ldap://h/dc=x??x', 'ldap://h/dc=x???(a', 'ldap://h/dc=x????'].map(partOf)).toEqual([
      'scheme', 'port', 'host', 'baseDn', 'attributes', 'scope', 'filter', 'extensions',
    ]);
  });
});

describe('parseLdapUrl host names with a trailing dot (RFC 3986 3.2.2)', () => {
  it('accepts a fully qualified name ending in ".", with or without a port, and keeps the dot', () => {
    expect(urlOf('ldap://Dir.Example.COM./dc=x')).toMatchObject({ host: 'dir.example.com.', port: 389 });
    expect(urlOf('ldaps://dir.example.com.:6636/dc=x')).toMatchObject({ host: 'dir.example.com.', port: 6636, portExplicit: true });
    expect(urlOf('ldap://localhost./dc=x').host).toBe('localhost.');
    expect(formatLdapUrl(urlOf('ldap://dir.example.com./dc=x'))).toBe('ldap://dir.example.com./dc=x');
  });

  it('still refuses a lone dot, empty labels and an IPv4 address with a dot after it', () => {
    for (const host of ['.', 'dir..example.com', 'dir.example.com..', '.dir.example.com', '192.0.2.1.']) {
      expect(failureOf(`ldap://${host}/dc=x`).message).toBe(`Host: "${host}" at position 7 is not a valid host name or IPv4 address`);
    }
  });
});

describe('formatLdapUrl', () => {
  it.each([
    'ldap://ldap1.example.net/o=University%20of%20Michigan,c=US',
    'ldap://ldap1.example.net/o=University%20of%20Michigan,c=US?postalAddress',
    'ldap://ldap1.example.net:6666/o=University%20of%20Michigan,c=US??sub?(cn=Babs%20Jensen)',
    'ldap://ldap.example.com/o=An%20Example%5C2C%20Inc.,c=US',
    'ldap://[2001:db8::7]/c=GB',
    'ldaps://dir.example.com:636/dc=example,dc=com',
  ])('round-trips %s', (text) => {
    expect(formatLdapUrl(urlOf(text))).toBe(text);
  });

  it('canonicalises case, encoding and empty trailing parts', () => {
    expect(formatLdapUrl(urlOf('LDAP://ldap1.example.com/c=GB?objectClass?ONE'))).toBe('ldap://ldap1.example.com/c=GB?objectClass?one');
    expect(formatLdapUrl(urlOf('ldap://ldap2.example.com/o=Question%3f,c=US?mail'))).toBe('ldap://ldap2.example.com/o=Question%3F,c=US?mail');
    expect(formatLdapUrl(urlOf('ldap://h/ou=Lučić#1,dc=x???'))).toBe('ldap://h/ou=Lu%C4%8Di%C4%87%231,dc=x');
    expect(formatLdapUrl(urlOf('ldap://ldap3.example.com/o=Babsco,c=US???(four-octet=%5c00%5c00%5c00%5c04)'))).toBe(
      'ldap://ldap3.example.com/o=Babsco,c=US???(four-octet=%5C00%5C00%5C00%5C04)',
    );
  });

  it('writes a non-default port even when not marked explicit, and encodes "," in extensions', () => {
    const url: LdapUrl = { scheme: 'ldap', host: 'h', port: 1389, portExplicit: false, baseDn: 'dc=x', attributes: [], scope: null, filter: null, extensions: ['bindname=cn=a,dc=x'] };
    expect(formatLdapUrl(url)).toBe('ldap://h:1389/dc=x????bindname=cn=a%2Cdc=x');
    expect(urlOf(formatLdapUrl(url))).toEqual({ ...url, portExplicit: true });
  });
});
