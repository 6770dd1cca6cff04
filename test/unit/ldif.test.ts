import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LdifReader, LdifSyntaxError, parseLdif, parseLdifLines, readLdifEntries, readLdifStream, type LdifEntry, type LdifParseResult } from '../../src-main/snapshots/ldif';
import { isSafeLdifString, ldifChunks, serializeLdif } from '../../src-main/snapshots/ldif-write';

const ok = (r: LdifParseResult): LdifEntry[] => {
  if (!r.ok) throw new Error(`expected success, got line ${r.line}: ${r.message}`);
  return r.entries;
};
const entriesOf = (text: string) => ok(parseLdif(text));
const lines = (...l: string[]) => `${l.join('\n')}\n`;
const b64 = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('base64');

// RFC 2849, example 1: a simple file with two entries.
const RFC_EXAMPLE_1 = lines(
  'version: 1',
  'dn: cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com',
  'objectclass: top',
  'objectclass: person',
  'objectclass: organizationalPerson',
  'cn: Barbara Jensen',
  'cn: Barbara J Jensen',
  'cn: Babs Jensen',
  'sn: Jensen',
  'uid: bjensen',
  'telephonenumber: +1 408 555 1212',
  'description: A big sailing fan.',
  '',
  'dn: cn=Bjorn Jensen, ou=Accounting, dc=airius, dc=com',
  'objectclass: top',
  'objectclass: person',
  'objectclass: organizationalPerson',
  'cn: Bjorn Jensen',
  'sn: Jensen',
  'telephonenumber: +1 408 555 1212',
);

// RFC 2849, example 2: a folded attribute value (and no space after the colons).
const RFC_EXAMPLE_2 = lines(
  'version: 1',
  'dn:cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com',
  'objectclass:top',
  'objectclass:person',
  'objectclass:organizationalPerson',
  'cn:Barbara Jensen',
  'cn:Barbara J Jensen',
  'cn:Babs Jensen',
  'sn:Jensen',
  'uid:bjensen',
  'telephonenumber:+1 408 555 1212',
  'description:Babs is a big sailing fan, and travels extensively in sea',
  ' rch of perfect sailing conditions.',
  'title:Product Manager, Rod and Reel Division',
);

// RFC 2849, example 3: a base64-encoded value (it holds a CR).
const RFC_EXAMPLE_3 = lines(
  'version: 1',
  'dn: cn=Gern Jensen, ou=Product Testing, dc=airius, dc=com',
  'objectclass: top',
  'objectclass: person',
  'objectclass: organizationalPerson',
  'cn: Gern Jensen',
  'cn: Gern O Jensen',
  'sn: Jensen',
  'uid: gernj',
  'telephonenumber: +1 408 555 1212',
  'description:: V2hhdCBhIGNhcmVmdWwgcmVhZGVyIHlvdSBhcmUhICBUaGlzIHZhbHVlIGlzIGJhc2UtNjQtZW5jb2RlZCBiZWNhdXNlIGl0IGhhcyBhIGNvbnRyb2wgY2hhcmFjdGVyIGluIGl0IChhIENSKS4NICBCeSB0aGUgd2F5LCB5b3Ugc2hvdWxkIHJlYWxseSBnZXQgb3V0IG1vcmUu',
);

// RFC 2849, example 5: UTF-8 values and DNs in base64, language options, comments.
const RFC_EXAMPLE_5 = lines(
  'version: 1',
  'dn:: b3U95Za25qWt6YOoLG89QWlyaXVz',
  '# dn:: ou=<JapaneseOU>,o=Airius',
  'objectclass: top',
  'objectclass: organizationalUnit',
  'ou:: 5Za25qWt6YOo',
  '# ou:: <JapaneseOU>',
  'ou;lang-ja:: 5Za25qWt6YOo',
  '# ou;lang-ja:: <JapaneseOU>',
  'ou;lang-ja;phonetic:: 44GI44GE44GO44KH44GG44G2',
  '# ou;lang-ja:: <JapaneseOU_in_phonetic_representation>',
  'ou;lang-en: Sales',
  'description: Japanese office',
  '',
  'dn:: dWlkPXJvZ2FzYXdhcmEsb3U95Za25qWt6YOoLG89QWlyaXVz',
  '# dn:: uid=<uid>,ou=<JapaneseOU>,o=Airius',
  'userpassword: {SHA}O3HSv1MusyL4kTjP+HKI5uxuNoM=',
  'objectclass: top',
  'objectclass: person',
  'objectclass: organizationalPerson',
  'objectclass: inetOrgPerson',
  'uid: rogasawara',
  'mail: rogasawara@airius.co.jp',
  'givenname;lang-ja:: 44Ot44OJ44OL44O8',
  '# givenname;lang-ja:: <JapaneseGivenname>',
  'sn;lang-ja:: 5bCP56yg5Y6f',
  '# sn;lang-ja:: <JapaneseSn>',
  'cn;lang-ja:: 5bCP56yg5Y6fIOODreODieODi+ODvA==',
  '# cn;lang-ja:: <JapaneseCn>',
  'title;lang-ja:: 5Za25qWt6YOoIOmDqOmVtw==',
  '# title;lang-ja:: <JapaneseTitle>',
  'preferredlanguage: ja',
  'givenname:: 44Ot44OJ44OL44O8',
  '# givenname:: <JapaneseGivenname>',
  'sn:: 5bCP56yg5Y6f',
  '# sn:: <JapaneseSn>',
  'cn:: 5bCP56yg5Y6fIOODreODieODi+ODvA==',
  '# cn:: <JapaneseCn>',
  'title:: 5Za25qWt6YOoIOmDqOmVtw==',
  '# title:: <JapaneseTitle>',
);

describe('parseLdif: the RFC 2849 examples', () => {
  it('example 1: two simple entries, names in the file spelling, values in order', () => {
    const entries = entriesOf(RFC_EXAMPLE_1);
    expect(entries).toEqual([
      {
        dn: 'cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com',
        attributes: {
          objectclass: ['top', 'person', 'organizationalPerson'],
          cn: ['Barbara Jensen', 'Barbara J Jensen', 'Babs Jensen'],
          sn: ['Jensen'],
          uid: ['bjensen'],
          telephonenumber: ['+1 408 555 1212'],
          description: ['A big sailing fan.'],
        },
        binary: [],
      },
      {
        dn: 'cn=Bjorn Jensen, ou=Accounting, dc=airius, dc=com',
        attributes: {
          objectclass: ['top', 'person', 'organizationalPerson'],
          cn: ['Bjorn Jensen'],
          sn: ['Jensen'],
          telephonenumber: ['+1 408 555 1212'],
        },
        binary: [],
      },
    ]);
  });

  it('example 2: a folded value is joined with its one leading space removed', () => {
    const [entry] = entriesOf(RFC_EXAMPLE_2);
    expect(entry.dn).toBe('cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com');
    expect(entry.attributes.description).toEqual(['Babs is a big sailing fan, and travels extensively in search of perfect sailing conditions.']);
    expect(entry.attributes.title).toEqual(['Product Manager, Rod and Reel Division']);
    expect(entry.attributes.objectclass).toEqual(['top', 'person', 'organizationalPerson']);
  });

  it('example 3: a base64 value holding a CR is decoded as text', () => {
    const [entry] = entriesOf(RFC_EXAMPLE_3);
    expect(entry.attributes.description).toEqual([
      'What a careful reader you are!  This value is base-64-encoded because it has a control character in it (a CR).\r  By the way, you should really get out more.',
    ]);
    expect(entry.binary).toEqual([]);
  });

  it('example 5: UTF-8 DNs and values in base64, attribute options kept apart, comments skipped', () => {
    const [ou, person] = entriesOf(RFC_EXAMPLE_5);
    expect(ou.dn).toBe('ou=営業部,o=Airius');
    expect(ou.attributes).toEqual({
      objectclass: ['top', 'organizationalUnit'],
      ou: ['営業部'],
      'ou;lang-ja': ['営業部'],
      'ou;lang-ja;phonetic': ['えいぎょうぶ'],
      'ou;lang-en': ['Sales'],
      description: ['Japanese office'],
    });
    expect(person.dn).toBe('uid=rogasawara,ou=営業部,o=Airius');
    expect(person.attributes['cn;lang-ja']).toEqual(['小笠原 ロドニー']);
    expect(person.attributes.cn).toEqual(['小笠原 ロドニー']);
    expect(person.attributes.title).toEqual(['営業部 部長']);
    expect(person.attributes.userpassword).toEqual(['{SHA}O3HSv1MusyL4kTjP+HKI5uxuNoM=']);
    expect(person.binary).toEqual([]);
  });
});

describe('parseLdif: layout', () => {
  it('takes CRLF line ends, several blank lines, no version line and a last record without a final newline', () => {
    const text = '\r\n\r\ndn: dc=a\r\ndc: a\r\n\r\n\r\n\r\ndn: dc=b\r\ndc: b\r\ndescription: last';
    expect(entriesOf(text)).toEqual([
      { dn: 'dc=a', attributes: { dc: ['a'] }, binary: [] },
      { dn: 'dc=b', attributes: { dc: ['b'], description: ['last'] }, binary: [] },
    ]);
  });

  it('takes version: 1 directly followed by a record, and comments before it', () => {
    expect(entriesOf(lines('# exported', 'version: 1', 'dn: dc=a', 'dc: a'))).toHaveLength(1);
    expect(entriesOf(lines('version:1', '', 'dn: dc=a', 'dc: a'))).toHaveLength(1);
  });

  it('an empty file, or one with only a version and comments, has no entries', () => {
    expect(parseLdif('')).toEqual({ ok: true, entries: [] });
    expect(parseLdif(lines('version: 1', '# nothing here', ''))).toEqual({ ok: true, entries: [] });
  });

  it('skips comments anywhere, including their folded continuations', () => {
    const text = lines('# a comment', ' that goes on', 'dn: dc=a', '# inside', '  the record', 'dc: a', 'description: x', ' y', '#last');
    expect(entriesOf(text)).toEqual([{ dn: 'dc=a', attributes: { dc: ['a'], description: ['xy'] }, binary: [] }]);
  });

  it('folds anywhere, also in the attribute name, the dn and base64 values; only one space is removed', () => {
    const text = lines('dn: cn=Fol', ' ded,dc=a', 'descr', ' iption:: SGVsbG8g', ' d29ybGQ=', 'cn: a', '  b');
    expect(entriesOf(text)).toEqual([{ dn: 'cn=Folded,dc=a', attributes: { description: ['Hello world'], cn: ['a b'] }, binary: [] }]);
  });

  it('merges spellings of one attribute into the first seen, in value order; keeps options apart', () => {
    const text = lines('dn: dc=a', 'Mail: one@x', 'cn: c', 'MAIL: two@x', 'mail: three@x', 'cn;lang-en: e', 'CN;LANG-EN: f');
    expect(entriesOf(text)[0].attributes).toEqual({ Mail: ['one@x', 'two@x', 'three@x'], cn: ['c'], 'cn;lang-en': ['e', 'f'] });
  });

  it('keeps empty values, values with inner colons, and spaces inside and at the end; drops the spaces after the colon', () => {
    const text = lines('dn: dc=a', 'description:', 'description::', 'labeledURI: http://x:80/ a', 'info:    two  spaces  ', 'title: ::not base64');
    expect(entriesOf(text)[0].attributes).toEqual({
      description: ['', ''],
      labeledURI: ['http://x:80/ a'],
      info: ['two  spaces  '],
      title: ['::not base64'],
    });
  });

  it('takes plain UTF-8 values and DNs (not RFC 2849 strict, but what many tools write)', () => {
    expect(entriesOf(lines('dn: cn=Chloé Müller,dc=a', 'cn: Chloé Müller'))[0]).toEqual({
      dn: 'cn=Chloé Müller,dc=a', attributes: { cn: ['Chloé Müller'] }, binary: [],
    });
  });

  it('takes a record with a dn and no attributes (ldapsearch ... 1.1) and the root DSE', () => {
    expect(entriesOf(lines('dn: dc=a', '', 'dn: dc=b'))).toEqual([
      { dn: 'dc=a', attributes: {}, binary: [] },
      { dn: 'dc=b', attributes: {}, binary: [] },
    ]);
    expect(entriesOf(lines('dn:', 'namingContexts: dc=a'))[0].dn).toBe('');
  });

  it('takes DNs with spaces around separators and escapes (RFC 4514 parser), numeric OID attributes and options', () => {
    const [e] = entriesOf(lines('dn: cn=Smith\\, John + uid=js, ou=People, dc=a', '2.5.4.3: Smith, John', 'userCertificate;binary:: AAE='));
    expect(e.dn).toBe('cn=Smith\\, John + uid=js, ou=People, dc=a');
    expect(e.attributes).toEqual({ '2.5.4.3': ['Smith, John'], 'userCertificate;binary': ['AAE='] });
    expect(e.binary).toEqual(['userCertificate;binary']);
  });
});

describe('parseLdif: binary values', () => {
  const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
  const GUID = Buffer.from('0123456789abcdef', 'latin1'); // valid UTF-8 by accident

  it('keeps a known binary attribute (objectGUID, jpegPhoto) as base64 even when its bytes are valid UTF-8', () => {
    const [e] = entriesOf(lines('dn: cn=x,dc=a', `objectGUID:: ${b64(GUID)}`, `jpegPhoto:: ${b64(JPEG)}`, 'cn: x'));
    expect(e.attributes).toEqual({ objectGUID: [b64(GUID)], jpegPhoto: [b64(JPEG)], cn: ['x'] });
    expect(e.binary).toEqual(['objectGUID', 'jpegPhoto']);
  });

  it('turns an attribute with one value that is not UTF-8 into base64, ALL its values, in order', () => {
    const bad = Buffer.from([0x41, 0xff, 0x42]);
    const [e] = entriesOf(lines('dn: cn=x,dc=a', 'x500UniqueIdentifier: plain', `x500UniqueIdentifier:: ${b64('ü')}`, `x500UniqueIdentifier:: ${b64(bad)}`, 'x500UniqueIdentifier: after', 'cn: x'));
    expect(e.attributes).toEqual({ x500UniqueIdentifier: [b64('plain'), b64('ü'), b64(bad), b64('after')], cn: ['x'] });
    expect(e.binary).toEqual(['x500UniqueIdentifier']);
  });

  it('writes base64 canonically (padding kept as given, same bytes)', () => {
    const [e] = entriesOf(lines('dn: cn=x,dc=a', 'jpegPhoto:: /9j/4AA='));
    expect(Buffer.from(e.attributes.jpegPhoto[0], 'base64')).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00]));
  });
});

type Bad = { name: string; text: string; line: number; message: RegExp };
const BAD: Bad[] = [
  { name: 'a URL value', text: lines('version: 1', 'dn: cn=x,dc=a', 'cn: x', 'jpegPhoto:< file:///tmp/photo.jpg'), line: 4, message: /^URL values \(:<\) are not supported: embed the value with :: base64$/ },
  { name: 'a URL dn', text: lines('dn:< file:///tmp/dn'), line: 1, message: /URL values \(:<\) are not supported/ },
  { name: 'a change record', text: lines('version: 1', '', 'dn: cn=x,dc=a', 'changetype: modify', 'replace: cn'), line: 4, message: /^change records are not supported: export content records \(e\.g\. ldapsearch -LLL\)$/ },
  { name: 'a change record with a control', text: lines('dn: cn=x,dc=a', 'control: 1.2.840.113556.1.4.805 true', 'changetype: delete'), line: 2, message: /change records are not supported/ },
  { name: 'changetype at the start of a record', text: lines('dn: cn=x,dc=a', 'cn: x', '', 'changetype: add'), line: 4, message: /change records are not supported/ },
  { name: 'a record not starting with dn:', text: lines('dn: cn=x,dc=a', 'cn: x', '', '', 'cn: y', 'dn: cn=y,dc=a'), line: 5, message: /a record must start with "dn:", found "cn:": put the entry's dn: line first/ },
  { name: 'a record starting with an attribute at the top', text: lines('objectClass: top'), line: 1, message: /must start with "dn:"/ },
  { name: 'a line without a colon', text: lines('dn: cn=x,dc=a', 'cn: x', 'this line has no colon'), line: 3, message: /has no colon.*start a comment with #/ },
  { name: 'a bad attribute name', text: lines('dn: cn=x,dc=a', 'cn: x', 'given name: x'), line: 3, message: /invalid attribute name "given name"/ },
  { name: 'an attribute name starting with a digit', text: lines('dn: cn=x,dc=a', '1cn: x'), line: 2, message: /invalid attribute name "1cn"/ },
  { name: 'an empty attribute name', text: lines('dn: cn=x,dc=a', ': x'), line: 2, message: /invalid attribute name ""/ },
  { name: 'invalid base64 (bad character)', text: lines('dn: cn=x,dc=a', 'cn: x', 'description:: SGVsbG8*', 'sn: y'), line: 3, message: /invalid base64 value for "description::"/ },
  { name: 'invalid base64 (length)', text: lines('dn: cn=x,dc=a', 'description:: SGVsbG8'), line: 2, message: /invalid base64/ },
  { name: 'invalid base64 on a folded line', text: lines('dn: cn=x,dc=a', 'cn: x', 'description:: SGVs', ' bG8!'), line: 3, message: /invalid base64/ },
  { name: 'invalid base64 dn', text: lines('dn:: !!!!'), line: 1, message: /invalid base64 value for "dn::"/ },
  { name: 'a base64 dn that is not UTF-8', text: lines(`dn:: ${b64(Buffer.from([0x63, 0x6e, 0x3d, 0xff]))}`), line: 1, message: /not valid UTF-8/ },
  { name: 'a continuation line at the start of the file', text: lines(' dn: cn=x,dc=a'), line: 1, message: /starts with a space.*no line to continue: remove the leading space/ },
  { name: 'a continuation line after a blank line', text: lines('dn: cn=x,dc=a', 'cn: x', '', ' cn: y'), line: 4, message: /no line to continue/ },
  { name: 'an invalid DN', text: lines('version: 1', '', 'dn: cn=x,dc=a', 'cn: x', '', 'dn: cn=y,,dc=a', 'cn: y'), line: 6, message: /^invalid DN "cn=y,,dc=a": .*position 5.*dn:: base64/ },
  { name: 'a DN without "="', text: lines('dn: just text'), line: 1, message: /invalid DN "just text"/ },
  { name: 'an invalid base64 DN', text: lines('dn: dc=a', '', `dn:: ${b64('cn=a;b')}`), line: 3, message: /invalid DN "cn=a;b"/ },
  { name: 'version 2', text: lines('version: 2', 'dn: cn=x,dc=a'), line: 1, message: /^LDIF version "2" is not supported: only "version: 1" exists$/ },
  { name: 'version not first', text: lines('dn: cn=x,dc=a', 'cn: x', '', 'version: 1', 'dn: cn=y,dc=a'), line: 4, message: /"version:" may only be the first line of the file: remove it/ },
  { name: 'two version lines', text: lines('version: 1', 'version: 1'), line: 2, message: /may only be the first line/ },
  { name: 'a second dn in a record', text: lines('dn: cn=x,dc=a', 'cn: x', 'dn: cn=y,dc=a'), line: 3, message: /a second "dn:" in one record: separate records with a blank line/ },
  { name: 'CRLF does not shift line numbers', text: 'dn: cn=x,dc=a\r\ncn: x\r\n\r\ndn: cn=y,dc=a\r\nbad line\r\n', line: 5, message: /no colon/ },
];

describe('parseLdif: refusals, with the 1-based line of the offending line', () => {
  it.each(BAD)('$name: line $line', ({ text, line, message }) => {
    const r = parseLdif(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r).toEqual({ ok: false, line, message: expect.stringMatching(message) });
    expect(Object.keys(r)).not.toContain('entries');
    // The same answer from the line-based and the streaming readers.
    expect(parseLdifLines(text.split(/\r?\n/))).toEqual(r);
  });

  it('is all-or-nothing: earlier good records are not returned', () => {
    const r = parseLdif(lines('dn: dc=a', 'dc: a', '', 'dn: dc=b', 'dc: b', '', 'dn: dc=c', 'changetype: delete'));
    expect(r).toEqual({ ok: false, line: 8, message: expect.stringContaining('change records') });
  });
});

describe('incremental readers', () => {
  const big = (n: number) => Array.from({ length: n }, (_, i) => ({
    dn: `uid=u${i},ou=people,dc=example,dc=com`,
    attributes: { objectClass: ['inetOrgPerson'], uid: [`u${i}`], cn: [`Chloé Müller ${i}`], description: ['x'.repeat(i % 200)] },
    binary: [],
  }));

  it('LdifReader gives the same entries for any chunking, returning each record once it is complete', () => {
    const entries = big(50);
    const text = serializeLdif(entries, { eol: '\r\n' });
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const reader = new LdifReader();
      const out: LdifEntry[] = [];
      for (let k = 0; k < text.length; k += size) out.push(...reader.push(text.slice(k, k + size)));
      out.push(...reader.end());
      expect(out).toEqual(entries);
    }
    const reader = new LdifReader();
    expect(reader.push('dn: dc=a\ndc: a\n')).toEqual([]);
    expect(reader.push('\ndn: dc=b\n')).toEqual([{ dn: 'dc=a', attributes: { dc: ['a'] }, binary: [] }]);
    expect(reader.end()).toEqual([{ dn: 'dc=b', attributes: {}, binary: [] }]);
  });

  it('readLdifEntries yields entries lazily from lines and throws LdifSyntaxError with the line', () => {
    const gen = readLdifEntries(['dn: dc=a', 'dc: a', '', 'dn: dc=b', 'bad']);
    expect(gen.next().value).toEqual({ dn: 'dc=a', attributes: { dc: ['a'] }, binary: [] });
    let error: unknown;
    try {
      gen.next();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LdifSyntaxError);
    expect((error as LdifSyntaxError).line).toBe(5);
    expect((error as LdifSyntaxError).message).toMatch(/^LDIF line 5: expected "attribute: value"/);
  });

  it('readLdifStream reads UTF-8 bytes split inside characters, and reports bytes that are not UTF-8 with their line', async () => {
    const entries = big(20);
    const bytes = Buffer.from(serializeLdif(entries.map((e) => ({ ...e, dn: `cn=Müller ${e.dn}` }))), 'utf8');
    const chunks = Array.from({ length: Math.ceil(bytes.length / 5) }, (_, k) => bytes.subarray(k * 5, k * 5 + 5));
    const out: LdifEntry[] = [];
    for await (const e of readLdifStream(Readable.from(chunks))) out.push(e);
    expect(out.map((e) => e.dn)).toEqual(entries.map((e) => `cn=Müller ${e.dn}`));

    const plainUtf8 = Buffer.from('dn: cn=Chloé,dc=a\ncn: Chloé\n', 'utf8');
    const read = async (parts: Buffer[]) => {
      const got: LdifEntry[] = [];
      for await (const e of readLdifStream(Readable.from(parts))) got.push(e);
      return got;
    };
    expect(await read([plainUtf8.subarray(0, 10), plainUtf8.subarray(10)])).toEqual([{ dn: 'cn=Chloé,dc=a', attributes: { cn: ['Chloé'] }, binary: [] }]);
    const latin1 = Buffer.concat([Buffer.from('dn: dc=a\ndc: a\n\ndn: cn=x,dc=a\ncn: Chlo'), Buffer.from([0xe9]), Buffer.from('\n')]);
    await expect(read([latin1])).rejects.toMatchObject({ line: 5, problem: expect.stringMatching(/not valid UTF-8/) });
  });
});

describe('serializeLdif', () => {
  it('writes version: 1 and records separated by blank lines', () => {
    const text = serializeLdif([
      { dn: 'dc=a', attributes: { objectClass: ['top', 'domain'], dc: ['a'] } },
      { dn: 'ou=b,dc=a', attributes: { ou: ['b'], description: [''] } },
    ]);
    expect(text).toBe('version: 1\n\ndn: dc=a\nobjectClass: top\nobjectClass: domain\ndc: a\n\ndn: ou=b,dc=a\nou: b\ndescription:\n');
    expect(serializeLdif([])).toBe('version: 1\n');
    expect(serializeLdif([{ dn: 'dc=a', attributes: { dc: ['a'] } }], { version: false, eol: '\r\n' })).toBe('dn: dc=a\r\ndc: a\r\n');
  });

  it('uses base64 for values that are not SAFE-STRINGs, and for DNs that are not', () => {
    const unsafe = [' lead', ':colon', '<less', 'trail ', 'Chloé', 'a\nb', 'a\rb', 'nul\0', '\x7f ok? no', 'tab\tis safe'];
    const text = serializeLdif([{ dn: 'cn=Chloé,dc=a', attributes: { description: unsafe } }]);
    expect(text).toContain(`dn:: ${b64('cn=Chloé,dc=a')}\n`);
    for (const v of unsafe.slice(0, 8)) expect(text).toContain(`description:: ${b64(v)}\n`);
    // RFC 2849 allows DEL and tab in a plain value; written in base64 anyway, so no control
    // character reaches a terminal that shows an export.
    expect(text).toContain(`description:: ${b64('\x7f ok? no')}\n`);
    expect(text).toContain(`description:: ${b64('tab\tis safe')}\n`);
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(isSafeLdifString('in:side<ok')).toBe(true);
    expect(isSafeLdifString('')).toBe(true);
  });

  it('folds lines at 76 characters, with continuation lines of one space + 75 characters', () => {
    const long = 'x'.repeat(300);
    const text = serializeLdif([{ dn: 'dc=a', attributes: { description: [long], jpegPhoto: [Buffer.alloc(200, 7).toString('base64')] } }]);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(text.split('\n').some((l) => l.length === 76)).toBe(true);
    expect(entriesOf(text)[0].attributes.description).toEqual([long]);
    expect(serializeLdif([{ dn: 'dc=a', attributes: { description: [long] } }], { foldWidth: 0 })).toContain(`description: ${long}\n`);
  });

  it('writes binary attributes (known or listed) as the base64 given, and refuses a binary value that is not base64', () => {
    const guid = Buffer.from('00112233445566778899aabbccddeeff', 'hex').toString('base64');
    const text = serializeLdif([{ dn: 'cn=x,dc=a', attributes: { objectGUID: [guid], blob: ['AAEC'] }, binary: ['blob'] }]);
    expect(text).toContain(`objectGUID:: ${guid}\n`);
    expect(text).toContain('blob:: AAEC\n');
    expect(() => serializeLdif([{ dn: 'cn=x,dc=a', attributes: { jpegPhoto: ['not base64!'] } }])).toThrow(/jpegPhoto of cn=x,dc=a .* must be base64/);
    expect(() => serializeLdif([{ dn: 'cn=x,dc=a', attributes: { 'bad name': ['x'] } }])).toThrow(/Cannot write attribute "bad name"/);
  });

  it('ldifChunks yields pieces whose concatenation is the whole text', () => {
    const entries = Array.from({ length: 3000 }, (_, i) => ({ dn: `uid=u${i},dc=a`, attributes: { uid: [`u${i}`], cn: [`Ünïcode ${i}`] } }));
    const chunks = [...ldifChunks(entries, { chunkSize: 10_000 })];
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.join('')).toBe(serializeLdif(entries));
    expect(ok(parseLdif(chunks.join(''))).length).toBe(3000);
  });
});

describe('round trips: serialize then parse gives identical entries', () => {
  const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x80, 0xfe]);
  const entries: LdifEntry[] = [
    {
      dn: 'uid=chloe,ou=Abteilung Müller,dc=example,dc=com',
      attributes: {
        objectClass: ['top', 'inetOrgPerson'],
        cn: ['Chloé Müller', '小笠原 ロドニー', ' leading space', 'trailing space ', ':colon', '<angle', 'emoji 😀'],
        'cn;lang-ja': ['小笠原'],
        description: ['line one\nline two\r\n', '', 'x'.repeat(500), `${'é'.repeat(100)}`],
        jpegPhoto: [JPEG.toString('base64'), Buffer.from('GIF89a').toString('base64')],
        weird: [Buffer.from([0x00, 0xff, 0x10]).toString('base64'), Buffer.from('text', 'utf8').toString('base64')],
      },
      binary: ['jpegPhoto', 'weird'],
    },
    { dn: 'cn=Smith\\, John+uid=js,dc=example,dc=com', attributes: { cn: ['Smith, John'], uid: ['js'] }, binary: [] },
    { dn: 'dc=example,dc=com', attributes: {}, binary: [] },
  ];

  it('for binary, non-ASCII, multi-line, long and unsafe values, UTF-8 DNs and options', () => {
    const text = serializeLdif(entries);
    expect(entriesOf(text)).toEqual(entries);
    expect(entriesOf(serializeLdif(entries, { eol: '\r\n', foldWidth: 20 }))).toEqual(entries);
    expect(entriesOf(serializeLdif(entries, { foldWidth: 0 }))).toEqual(entries);
  });

  it('for parsed RFC examples (parse, serialize, parse)', () => {
    for (const example of [RFC_EXAMPLE_1, RFC_EXAMPLE_2, RFC_EXAMPLE_3, RFC_EXAMPLE_5]) {
      const parsed = entriesOf(example);
      expect(entriesOf(serializeLdif(parsed))).toEqual(parsed);
    }
  });

  it('for entries as scripts receive them (no binary: known binary names are base64)', () => {
    const input = { dn: 'cn=x,dc=a', attributes: { cn: ['x'], thumbnailPhoto: [JPEG.toString('base64')] } };
    expect(entriesOf(serializeLdif([input]))).toEqual([{ ...input, binary: ['thumbnailPhoto'] }]);
  });

  it('for 20k generated entries with random text, through the chunked writer and the incremental reader', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const alphabet = ['a', 'Z', ' ', ':', '<', 'é', 'ß', '€', '😀', '\n', '\t', '#', '=', ',', '\\'];
    const word = () => Array.from({ length: Math.floor(rand() * 12) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    const many: LdifEntry[] = Array.from({ length: 20_000 }, (_, i) => ({
      dn: `uid=u${i},ou=${i % 2 ? 'Bücher' : 'books'},dc=example,dc=com`,
      attributes: { uid: [`u${i}`], description: [word(), word()], ...(i % 100 === 0 ? { jpegPhoto: [Buffer.from([i % 256, 0xff]).toString('base64')] } : {}) },
      binary: i % 100 === 0 ? ['jpegPhoto'] : [],
    }));
    const reader = new LdifReader();
    const out: LdifEntry[] = [];
    for (const chunk of ldifChunks(many)) out.push(...reader.push(chunk));
    out.push(...reader.end());
    expect(out).toEqual(many);
  });
});
