/**
 * The sync reader's SearchResultEntry decoder against ldapts's own decoding (SearchEntry.parse +
 * toObject) followed by toEntryInput, on hand-picked and random entries: the same entry (and the
 * same `binary` names) must come out, byte for byte. The bytes are made with ldapts's BER writer.
 */
import { BerReader, SearchEntry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { decodeEntryPage, entryCount } from '../../src-main/directory/entry-page';
import { decodeSearchEntry, LdapDecodeError } from '../../src-main/ldap/ldap-decode';
import { JsonPageWriter } from '../../src-main/ldap/ldap-json';
import { EXPLICIT_BUFFER_ATTRIBUTES, isBinaryAttribute } from '../../src-main/directory/binary-attributes';
import { toEntryInput } from '../../src-main/preview/entry-values';
import { encodeEntry, utf8, type Attr } from './ber-entries';


/** What the reader gave before: ldapts's decoding, then toEntryInput. */
function viaLdapts(bytes: Buffer) {
  const entry = new SearchEntry({ messageId: 1 });
  (entry as unknown as { parseMessage(r: BerReader): void }).parseMessage(new BerReader(bytes));
  return toEntryInput(entry.toObject([], [...EXPLICIT_BUFFER_ATTRIBUTES]));
}

function decode(bytes: Buffer) {
  return decodeSearchEntry(bytes, 0, bytes.length);
}

const INVALID = Buffer.from([0x41, 0xff, 0xfe, 0x42]);

describe('decodeSearchEntry', () => {
  it('decodes text, multi-valued, non-ASCII and empty values like ldapts', () => {
    const bytes = encodeEntry('uid=zoë,ou=people,dc=example,dc=com', [
      ['uid', [utf8('zoë')]],
      ['mail', [utf8('a@example.org'), utf8('b@example.org')]],
      ['cn', [utf8('Zoë 日本 😀')]],
      ['description', [utf8('')]],
      ['member', []],
    ]);
    const got = decode(bytes);
    expect(got).toEqual({ dn: 'uid=zoë,ou=people,dc=example,dc=com', attributes: { uid: ['zoë'], mail: ['a@example.org', 'b@example.org'], cn: ['Zoë 日本 😀'], description: [''] } });
    expect(got).toEqual(viaLdapts(bytes));
  });

  it('gives binary attributes and values that are not UTF-8 as base64, and names them', () => {
    const guid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const bytes = encodeEntry('cn=x', [
      ['objectGUID', [guid]],
      ['jpegPhoto', [utf8('GIF89a')]],
      ['userPassword', [INVALID, utf8('plain')]],
      ['userCertificate;binary', [Buffer.from([1, 2, 3])]],
      ['sn', [utf8('a \uFFFD replacement character is text')]],
    ]);
    const got = decode(bytes);
    expect(got.attributes).toEqual({
      objectGUID: [guid.toString('base64')],
      jpegPhoto: [utf8('GIF89a').toString('base64')],
      userPassword: [INVALID.toString('base64'), utf8('plain').toString('base64')],
      'userCertificate;binary': ['AQID'],
      sn: ['a \uFFFD replacement character is text'],
    });
    expect(got.binary).toEqual(['objectGUID', 'jpegPhoto', 'userPassword', 'userCertificate;binary']);
    expect(got).toEqual(viaLdapts(bytes));
  });

  it('merges names that differ only in case, in server order', () => {
    const bytes = encodeEntry('cn=x', [
      ['mail', [utf8('one@example.org')]],
      ['cn', [utf8('X')]],
      ['MAIL', [utf8('two@example.org')]],
      ['Mail', [INVALID]],
    ]);
    const got = decode(bytes);
    expect(got.attributes).toEqual({ mail: ['one@example.org', 'two@example.org', INVALID].map((v) => (typeof v === 'string' ? utf8(v) : v).toString('base64')), cn: ['X'] });
    expect(got.binary).toEqual(['mail']);
    expect(got).toEqual(viaLdapts(bytes));
  });

  it('matches ldapts on 3000 random entries', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const NAMES = ['uid', 'UID', 'Uid', 'mail', 'MAIL', 'cn', 'givenName', 'GIVENNAME', 'jpegPhoto', 'JPEGPHOTO', 'objectGUID', 'userCertificate;binary', 'description', 'x-Custom-Attr', 'userPassword'];
    const TEXTS = ['', 'a', 'alice', 'Zoë', '日本語', '😀 emoji', '\uFFFD', 'x'.repeat(300), 'é'.repeat(200)];
    const value = (): Buffer => {
      switch (rnd(4)) {
        case 0: {
          const b = Buffer.alloc(rnd(40));
          for (let i = 0; i < b.length; i++) b[i] = rnd(256);
          return b;
        }
        default:
          return utf8(TEXTS[rnd(TEXTS.length)]);
      }
    };
    for (let n = 0; n < 3000; n++) {
      const names = new Set<string>();
      const count = rnd(7);
      while (names.size < count) names.add(NAMES[rnd(NAMES.length)]);
      const attrs: Attr[] = [...names].map((name) => [name, Array.from({ length: rnd(4) }, value)]);
      const bytes = encodeEntry(`uid=user${n},ou=people,dc=example,dc=com`, attrs);
      const got = decode(bytes);
      expect(got).toEqual(viaLdapts(bytes));
      const { binary, ...rest } = got;
      // Named binary: exactly the attributes whose values are base64.
      const expectedBinary = Object.keys(rest.attributes).filter((name) => {
        if (isBinaryAttribute(name)) return true;
        const lower = name.toLowerCase();
        return attrs.some(([a, vs]) => a.toLowerCase() === lower && vs.some((v) => !Buffer.from(v.toString('utf8'), 'utf8').equals(v)));
      });
      expect(binary ?? []).toEqual(expectedBinary);
    }
  });

  it('leaves out an attribute named __proto__ (no LDAP server sends one; as a key it would set the prototype)', () => {
    for (const attrs of [[['__proto__', [utf8('x')]], ['uid', [utf8('a')]]], [['uid', [utf8('a')]], ['UID', [INVALID]], ['__proto__', [utf8('x')]]]] as Attr[][]) {
      const got = decode(encodeEntry('cn=x', attrs));
      expect(Object.getPrototypeOf(got.attributes)).toBe(Object.prototype);
      expect(Object.keys(got.attributes)).toEqual(['uid']);
    }
  });

  it('refuses truncated and malformed bytes with a decode error', () => {
    const bytes = encodeEntry('cn=x', [['mail', [utf8('a@example.org')]]]);
    for (const cut of [1, 5, bytes.length - 3, bytes.length - 1]) {
      expect(() => decodeSearchEntry(bytes, 0, cut)).toThrow(LdapDecodeError);
    }
    const wrong = Buffer.from(bytes);
    wrong[0] = 0x30; // the DN must be an OCTET STRING
    expect(() => decode(wrong)).toThrow(/not valid LDAP \(expected the entry DN\)/);
  });
});

describe('JsonPageWriter (the read worker: BER straight into a page of JSON)', () => {
  it('writes exactly JSON.stringify of the decoded entries, on the hand-picked cases and 3000 random entries', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const NAMES = ['uid', 'UID', 'mail', 'cn', 'givenName', 'jpegPhoto', 'objectGUID', 'userCertificate;binary', 'description', 'x-Custom-Attr', 'userPassword', 'a"quoted', '__proto__'];
    const TEXTS = ['', 'a', 'alice', 'Zoë', '日本語', '😀 emoji', '\uFFFD', 'say "hi"', 'back\\slash', 'tab\there', 'line\nbreak', '\u2028', 'x'.repeat(300), 'é'.repeat(100), `${'y'.repeat(100)}"`, `${'z'.repeat(80)}\u0001`];
    const value = (): Buffer => {
      if (rnd(5) === 0) {
        const b = Buffer.alloc(rnd(20));
        for (let i = 0; i < b.length; i++) b[i] = rnd(256);
        return b;
      }
      return utf8(TEXTS[rnd(TEXTS.length)]);
    };
    const all: Buffer[] = [
      encodeEntry('uid=zoë,dc=x', [['uid', [utf8('zoë')]], ['member', []], ['cn', [utf8('Zoë 日本 😀')]]]),
      encodeEntry('cn="quoted\\, dn",dc=x', [['mail', [utf8('one')]], ['MAIL', [utf8('two')]]]),
      encodeEntry('cn=x', [['objectGUID', [Buffer.from('00112233445566778899aabbccddeeff', 'hex')]], ['userPassword', [INVALID]]]),
    ];
    for (let n = 0; n < 3000; n++) {
      const names = new Set<string>();
      const count = rnd(7);
      while (names.size < count) names.add(NAMES[rnd(NAMES.length)]);
      all.push(encodeEntry(`uid=user${n}${rnd(10) === 0 ? '"\\' : ''},dc=example,dc=com`, [...names].map((name): Attr => [name, Array.from({ length: rnd(4) }, value)])));
    }
    const writer = new JsonPageWriter(64);
    for (let from = 0; from < all.length; from += 1000) {
      const chunk = all.slice(from, from + 1000);
      for (const bytes of chunk) writer.add(bytes, 0, bytes.length);
      const page = writer.finish();
      expect(page.count).toBe(chunk.length);
      expect(entryCount(page.buffer)).toBe(chunk.length);
      const expected = chunk.map((bytes) => decode(bytes));
      // Byte for byte the JSON of the decoder's entries, so the main thread gets the same entries.
      expect(Buffer.from(page.buffer, 4).toString('utf8')).toBe(JSON.stringify(expected));
      expect(decodeEntryPage(page.buffer)).toEqual(expected);
    }
  });

  it('gives an empty page as an empty array, and refuses malformed bytes without writing half an entry', () => {
    const writer = new JsonPageWriter();
    expect(decodeEntryPage(writer.finish().buffer)).toEqual([]);
    const good = encodeEntry('cn=a', [['cn', [utf8('a')]]]);
    const bad = encodeEntry('cn=b', [['cn', [utf8('b')]]]);
    writer.add(good, 0, good.length);
    expect(() => writer.add(bad, 0, bad.length - 2)).toThrow(LdapDecodeError);
    expect(decodeEntryPage(writer.finish().buffer)).toEqual([decode(good)]);
  });
});
