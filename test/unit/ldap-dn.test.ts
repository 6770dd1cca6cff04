import { describe, expect, it } from 'vitest';
import { escapeDnValue, formatDn, isAttributeDescription, isAttributeType, normalizeDn, parseDn, type Rdn } from '../../src-shared/ldap/dn';

function rdnsOf(text: string): Rdn[] {
  const result = parseDn(text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${result.message}`);
  return result.rdns;
}

function failureOf(text: string): { message: string; position: number } {
  const result = parseDn(text);
  if (result.ok) throw new Error(`expected ${text} to be refused`);
  return result;
}

describe('parseDn with the RFC 4514 section 4 examples', () => {
  it('parses UID=jsmith,DC=example,DC=net into three single-valued RDNs', () => {
    expect(rdnsOf('UID=jsmith,DC=example,DC=net')).toEqual([
      [{ type: 'UID', value: 'jsmith' }],
      [{ type: 'DC', value: 'example' }],
      [{ type: 'DC', value: 'net' }],
    ]);
  });

  it('parses a multi-valued RDN joined by "+" and keeps inner double spaces', () => {
    expect(rdnsOf('OU=Sales+CN=J.  Smith,DC=example,DC=net')[0]).toEqual([
      { type: 'OU', value: 'Sales' },
      { type: 'CN', value: 'J.  Smith' },
    ]);
  });

  it('decodes escaped quotes and commas', () => {
    expect(rdnsOf('CN=James \\"Jim\\" Smith\\, III,DC=example,DC=net')[0][0].value).toBe('James "Jim" Smith, III');
  });

  it('decodes a hex pair into a control character', () => {
    expect(rdnsOf('CN=Before\\0dAfter,DC=example,DC=net')[0][0].value).toBe('Before\rAfter');
  });

  it('keeps a #hex BER value as hex digits flagged ber', () => {
    expect(rdnsOf('1.3.6.1.4.1.1466.0=#04024869')).toEqual([[{ type: '1.3.6.1.4.1.1466.0', value: '04024869', ber: true }]]);
  });

  it('decodes escaped UTF-8 sequences', () => {
    expect(rdnsOf('CN=Lu\\C4\\8Di\\C4\\87')[0][0].value).toBe('Lučić');
  });
});

describe('parseDn on other valid input', () => {
  it('accepts the empty DN as the root DSE', () => {
    expect(rdnsOf('')).toEqual([]);
  });

  it('accepts a numeric OID attribute type', () => {
    expect(rdnsOf('2.5.4.3=Foo')).toEqual([[{ type: '2.5.4.3', value: 'Foo' }]]);
  });

  it('tolerates spaces after commas and around "=" and "+" as admins type them', () => {
    expect(rdnsOf('ou=people, dc=example , dc = com')).toEqual(rdnsOf('ou=people,dc=example,dc=com'));
    expect(rdnsOf('cn=a + sn=b')).toEqual([[{ type: 'cn', value: 'a' }, { type: 'sn', value: 'b' }]]);
  });

  it('keeps escaped leading and trailing spaces', () => {
    expect(rdnsOf('cn=\\ a\\ ,dc=x')[0][0].value).toBe(' a ');
    expect(rdnsOf('cn=\\20a\\20')[0][0].value).toBe(' a ');
  });

  it('decodes every RFC 4514 special escape', () => {
    expect(rdnsOf('cn=\\,\\+\\"\\\\\\<\\>\\;\\=\\#')[0][0].value).toBe(',+"\\<>;=#');
    expect(rdnsOf('cn=\\#1')[0][0].value).toBe('#1');
  });

  it('accepts an unescaped "=" inside a value and an empty value', () => {
    expect(rdnsOf('cn=a=b,cn=')).toEqual([[{ type: 'cn', value: 'a=b' }], [{ type: 'cn', value: '' }]]);
  });

  it('accepts raw non-ASCII characters', () => {
    expect(rdnsOf('cn=Lučić')[0][0].value).toBe('Lučić');
  });
});

describe('parseDn refusing invalid input', () => {
  it('asks for "=" after a bare attribute type', () => {
    expect(failureOf('cn')).toMatchObject({ message: 'Expected "=" after attribute type "cn" at position 2', position: 2 });
  });

  it('refuses a missing attribute type', () => {
    expect(failureOf('=x')).toMatchObject({ position: 0, message: expect.stringContaining('Missing attribute type before "="') });
  });

  it('refuses a trailing comma and points at it', () => {
    expect(failureOf('cn=a,')).toMatchObject({ position: 4, message: expect.stringContaining('Trailing ","') });
  });

  it('refuses a lone backslash at the end', () => {
    expect(failureOf('cn=a\\')).toMatchObject({ position: 4, message: expect.stringContaining('write \\\\ for a backslash') });
  });

  it('refuses an escape that is neither special nor hex', () => {
    expect(failureOf('cn=a\\zz')).toMatchObject({ position: 4, message: expect.stringContaining('Invalid escape "\\z"') });
  });

  it('refuses "#zz" as a DN and as a BER value', () => {
    expect(failureOf('#zz')).toMatchObject({ position: 0, message: expect.stringContaining('Expected an attribute type') });
    expect(failureOf('cn=#zz')).toMatchObject({ position: 3, message: expect.stringContaining('Invalid hex value') });
    expect(failureOf('cn=#041')).toMatchObject({ position: 3 });
  });

  it('refuses unescaped special characters with the escape to write', () => {
    expect(failureOf('cn=a"b')).toMatchObject({ position: 4, message: expect.stringContaining('write \\"') });
    expect(failureOf('cn=a;dc=x')).toMatchObject({ position: 4, message: expect.stringContaining('separate RDNs with ","') });
    expect(failureOf('cn=<x>').position).toBe(3);
  });

  it('refuses escaped bytes that are not UTF-8', () => {
    expect(failureOf('cn=a\\ff')).toMatchObject({ position: 3, message: expect.stringContaining('not valid UTF-8') });
  });

  it('refuses bad attribute types and empty RDNs', () => {
    expect(failureOf('c_n=a').position).toBe(1);
    expect(failureOf('2.05.4=a')).toMatchObject({ position: 0, message: expect.stringContaining('Invalid attribute type "2.05.4"') });
    expect(failureOf('cn=a,,dc=x').position).toBe(5);
    expect(failureOf('cn=a+').position).toBe(4);
  });

  it('maps positions through positionOf', () => {
    const result = parseDn('cn', (i) => i + 10);
    expect(result).toEqual({ ok: false, message: 'Expected "=" after attribute type "cn" at position 12', position: 12 });
  });
});

describe('formatDn and escapeDnValue', () => {
  it.each([
    'UID=jsmith,DC=example,DC=net',
    'OU=Sales+CN=J.  Smith,DC=example,DC=net',
    'CN=James \\"Jim\\" Smith\\, III,DC=example,DC=net',
    'CN=Before\\0dAfter,DC=example,DC=net',
    '1.3.6.1.4.1.1466.0=#04024869',
  ])('round-trips %s', (text) => {
    expect(formatDn(rdnsOf(text))).toBe(text);
  });

  it('writes UTF-8 escapes as characters', () => {
    expect(formatDn(rdnsOf('CN=Lu\\C4\\8Di\\C4\\87'))).toBe('CN=Lučić');
  });

  it('escapes leading "#" and spaces, trailing spaces, specials and NUL', () => {
    expect(escapeDnValue('#a')).toBe('\\#a');
    expect(escapeDnValue(' a b ')).toBe('\\ a b\\ ');
    expect(escapeDnValue('a,b+c;d<e>f"g\\h')).toBe('a\\,b\\+c\\;d\\<e\\>f\\"g\\\\h');
    expect(escapeDnValue('a\0')).toBe('a\\00');
  });

  it('produces text that parses back to the same values', () => {
    const rdns: Rdn[] = [[{ type: 'cn', value: ' #tricky, "value"+ ' }], [{ type: 'dc', value: 'x' }]];
    expect(rdnsOf(formatDn(rdns))).toEqual(rdns);
  });
});

describe('normalizeDn', () => {
  it('lower-cases types, drops spaces and keeps value case', () => {
    expect(normalizeDn('CN=Foo, DC=x')).toBe('cn=Foo,dc=x');
  });

  it('canonicalises escaping and sorts multi-valued RDNs', () => {
    expect(normalizeDn('CN=a\\2cb+OU=Sales')).toBe(normalizeDn('ou=Sales+cn=a\\,b'));
    expect(normalizeDn('x=#0A0B')).toBe('x=#0a0b');
  });

  it('returns "" for the root DSE and null when invalid', () => {
    expect(normalizeDn('')).toBe('');
    expect(normalizeDn('cn')).toBeNull();
  });
});

describe('isAttributeType and isAttributeDescription', () => {
  it('accept descriptors and numeric OIDs, the latter with options', () => {
    expect(isAttributeType('msDS-UserAccountDisabled')).toBe(true);
    expect(isAttributeType('1.2.840')).toBe(true);
    expect(isAttributeType('1')).toBe(false);
    expect(isAttributeType('-cn')).toBe(false);
    expect(isAttributeDescription('cn;lang-en')).toBe(true);
    expect(isAttributeDescription('cn;')).toBe(false);
  });
});
