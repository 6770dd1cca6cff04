/**
 * Column pages (the read worker's format for a sync's fixed attribute list) against the entry
 * decoder: for every entry and every column, the column page must give exactly the values
 * valuesByName gives on the decoded entry, and the same entry to the script engine. Bytes are made
 * with ldapts's BER writer, on hand-picked and random entries (values to escape, bytes that are not
 * UTF-8, binary attributes, two spellings of a name, attributes that were not asked for). Ranged
 * values (held back and completed by the reader) are covered by test/integration/ad-ranges.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { columnsOfEntries, decodeColumnPage, type ColumnPage } from '../../src-main/directory/column-page';
import { valuesByName, type DirectoryEntry } from '../../src-main/directory/entry';
import { decodeSearchEntry, LdapDecodeError } from '../../src-main/ldap/ldap-decode';
import { ColumnPageWriter } from '../../src-main/ldap/ldap-columns';
import { encodeEntry, utf8, type Attr } from './ber-entries';



/** Every value of every column of the page, as valuesByName would give them. */
function columnValues(page: ColumnPage, i: number): string[][] {
  return page.names.map((_, k) => Array.from({ length: page.valueCount(i, k) }, (__, j) => page.valueAt(i, k, j)));
}

const COLUMNS = ['uid', 'mail', 'cn', 'objectguid', 'description', 'usercertificate;binary'];

describe('ColumnPageWriter and decodeColumnPage', () => {
  it('give every column of every entry exactly as the entry decoder does, on hand-picked and 3000 random entries', () => {
    let seed = 11;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    // Columns in several spellings, plus names that were not asked for (the entry then travels whole).
    const NAMES = ['uid', 'UID', 'mail', 'cn', 'CN', 'objectGUID', 'description', 'userCertificate;binary', 'x-Other', '__proto__'];
    const TEXTS = ['', 'a', 'alice', 'Zoë', '日本語', '😀', 'say "hi"', 'back\\slash', 'tab\there', '\u2028', 'x'.repeat(300), '\u0001'];
    const value = (): Buffer => {
      if (rnd(6) === 0) {
        const b = Buffer.alloc(rnd(20));
        for (let i = 0; i < b.length; i++) b[i] = rnd(256);
        return b;
      }
      return utf8(TEXTS[rnd(TEXTS.length)]);
    };
    const all: Buffer[] = [
      encodeEntry('uid=a,dc=x', [['uid', [utf8('a')]], ['mail', [utf8('a@x'), utf8('b@x')]], ['cn', []]]),
      encodeEntry('uid=b,dc=x', [['objectGUID', [Buffer.from('00112233445566778899aabbccddeeff', 'hex')]]]),
      encodeEntry('uid=c,dc=x', [['mail', [utf8('one')]], ['MAIL', [utf8('two')]]]),
      encodeEntry('uid=d,dc=x', []),
    ];
    for (let n = 0; n < 3000; n++) {
      const names = new Set<string>();
      const count = rnd(6);
      while (names.size < count) {
        const name = NAMES[rnd(NAMES.length)];
        // Mostly asked-for names, so that most entries take the column path.
        if (!COLUMNS.includes(name.toLowerCase()) && rnd(8) !== 0) continue;
        names.add(name);
      }
      all.push(encodeEntry(`uid=user${n}${rnd(15) === 0 ? '"\\' : ''},dc=example,dc=com`, [...names].map((name): Attr => [name, Array.from({ length: rnd(4) }, value)])));
    }
    const writer = new ColumnPageWriter(COLUMNS);
    let flat = 0;
    for (let from = 0; from < all.length; from += 700) {
      const chunk = all.slice(from, from + 700);
      for (const bytes of chunk) writer.add(bytes, 0, bytes.length);
      const written = writer.finish();
      expect(written.held).toBeUndefined();
      const page = decodeColumnPage(written.buffer, COLUMNS);
      const expected = chunk.map((b) => decodeSearchEntry(b, 0, b.length));
      expect(page.count).toBe(expected.length);
      const json = JSON.parse(Buffer.from(written.buffer, 4).toString('utf8')) as unknown[];
      flat += json.filter((s) => typeof s === 'string').length;
      for (let i = 0; i < expected.length; i++) {
        expect(page.dn(i)).toBe(expected[i].dn);
        expect(columnValues(page, i)).toEqual(COLUMNS.map((c) => valuesByName(expected[i], c)));
        // The engine's entry holds the same values under each column (any spelling reads them).
        const e = page.entry(i);
        expect(COLUMNS.map((c) => valuesByName(e, c))).toEqual(COLUMNS.map((c) => valuesByName(expected[i], c)));
      }
    }
    // Most entries took the column path, not the whole-entry one.
    expect(flat).toBeGreaterThan(1000);
  });

  it('writes an entry with a value to escape as the whole entry, and one missing a column as 0', () => {
    const writer = new ColumnPageWriter(['uid', 'mail']);
    for (const b of [encodeEntry('uid=a,dc=x', [['uid', [utf8('a')]]]), encodeEntry('uid=b,dc=x', [['uid', [utf8('say "b"')]], ['mail', [utf8('b@x')]]])]) writer.add(b, 0, b.length);
    const text = Buffer.from(writer.finish().buffer, 4).toString('utf8');
    expect(JSON.parse(text)).toEqual(['uid=a,dc=x', 'a', 0, { dn: 'uid=b,dc=x', attributes: { uid: ['say "b"'], mail: ['b@x'] } }]);
  });

  it('refuses malformed bytes without writing half an entry, and a page whose slots do not add up', () => {
    const writer = new ColumnPageWriter(['cn']);
    const good = encodeEntry('cn=a', [['cn', [utf8('a')]]]);
    const bad = encodeEntry('cn=b', [['cn', [utf8('b')]]]);
    writer.add(good, 0, good.length);
    expect(() => writer.add(bad, 0, bad.length - 2)).toThrow(LdapDecodeError);
    const buffer = writer.finish().buffer;
    expect(columnValues(decodeColumnPage(buffer, ['cn']), 0)).toEqual([['a']]);
    expect(() => decodeColumnPage(buffer, ['cn', 'mail'])).toThrow(/holds 2 slots/);
  });

  it('sees entry objects (a snapshot) through the same interface', () => {
    const entries: DirectoryEntry[] = [{ dn: 'uid=a,dc=x', attributes: { UID: ['a'], Mail: ['a@x', 'b@x'] } }];
    const page = columnsOfEntries(entries, ['uid', 'mail', 'cn']);
    expect(page.column('MAIL')).toBe(1);
    expect(columnValues(page, 0)).toEqual([['a'], ['a@x', 'b@x'], []]);
    expect(page.entry(0)).toBe(entries[0]);
  });
});
