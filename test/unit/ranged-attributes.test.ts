/**
 * Ranged attribute values (`member;range=0-1499`): parsing the range option, checking and joining
 * the pieces, completing an entry by asking for the next ranges, and the read worker's page
 * writer holding such entries back and putting them back in their places.
 */
import { describe, expect, it } from 'vitest';
import { decodeEntryPage } from '../../src-main/directory/entry-page';
import type { DirectoryEntry } from '../../src-main/directory/entry';
import { decodeEntryAttributes, decodeSearchEntry } from '../../src-main/ldap/ldap-decode';
import { assembleJsonPage, JsonPageWriter } from '../../src-main/ldap/ldap-json';
import {
  completeRanges, hasRangedAttribute, mergeRangePieces, parseRangeName, RangeProblem, type FetchedAttribute, type RangePiece,
} from '../../src-main/ldap/ranged-attributes';
import { encodeEntry, utf8 } from './ber-entries';

const members = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `CN=User ${from + i},OU=People,DC=samdom,DC=test`);
const piece = (low: number, high: number | null, values: string[], binary = false): RangePiece => ({ low, high, values, binary });

/** A directory of one group with `total` members that answers range requests the way Active Directory does (1,500 values a piece). */
function rangedGroup(total: number, size = 1500) {
  const all = members(0, total);
  const asked: string[] = [];
  const fetch = async (dn: string, attributes: string[]): Promise<FetchedAttribute[]> => {
    asked.push(`${dn} ${attributes.join(' ')}`);
    const r = parseRangeName(attributes[0])!;
    const end = Math.min(total, r.low + size);
    const high = end >= total ? '*' : String(end - 1);
    return [{ name: `${r.base};range=${r.low}-${high}`, values: all.slice(r.low, end), binary: false }];
  };
  return { all, asked, fetch };
}

describe('parseRangeName', () => {
  it('reads LOW-HIGH and LOW-*, keeps the other options and the spelling of the base', () => {
    expect(parseRangeName('member;range=0-1499')).toEqual({ base: 'member', low: 0, high: 1499 });
    expect(parseRangeName('Member;Range=1500-*')).toEqual({ base: 'Member', low: 1500, high: null });
    expect(parseRangeName('member;binary;range=3-4')).toEqual({ base: 'member;binary', low: 3, high: 4 });
    expect(parseRangeName('member')).toBeNull();
    expect(parseRangeName('cn;lang-en')).toBeNull();
  });

  it('refuses a range that is not LOW-HIGH, or whose end is before its start', () => {
    expect(() => parseRangeName('member;range=5')).toThrow(RangeProblem);
    expect(() => parseRangeName('member;range=a-b')).toThrow(/malformed range option/);
    expect(() => parseRangeName('member;range=9-3')).toThrow(/end \(3\) is before its start \(9\)/);
  });
});

describe('mergeRangePieces', () => {
  it('joins contiguous pieces in order', () => {
    expect(mergeRangePieces('member', [piece(0, 1, ['a', 'b']), piece(2, 3, ['c', 'd']), piece(4, null, ['e'])])).toEqual({ values: ['a', 'b', 'c', 'd', 'e'], binary: false });
  });

  it('names a gap, an overlap, a piece after the last one, and a missing last piece', () => {
    expect(() => mergeRangePieces('member', [piece(0, 1, ['a', 'b']), piece(3, null, ['d'])])).toThrow('member;range=3-* leaves a gap: values 2-2 of member are missing');
    expect(() => mergeRangePieces('member', [piece(0, 1, ['a', 'b']), piece(1, null, ['b'])])).toThrow('member;range=1-* overlaps the range before it (which ends at 1)');
    expect(() => mergeRangePieces('member', [piece(1, null, ['b'])])).toThrow('values 0-0 of member are missing');
    expect(() => mergeRangePieces('member', [piece(0, null, ['a']), piece(1, null, ['b'])])).toThrow('member;range=0-* ends in * (the last piece), but member;range=1-* follows it');
    expect(() => mergeRangePieces('member', [piece(0, 1, ['a', 'b'])])).toThrow('values from 2 on are missing');
  });

  it('gives every value in base64 when one piece is binary', () => {
    const bytes = Buffer.from([0xff, 0x00]).toString('base64');
    expect(mergeRangePieces('x', [piece(0, 0, ['é']), piece(1, null, [bytes], true)])).toEqual({ values: [Buffer.from('é').toString('base64'), bytes], binary: true });
  });
});

describe('completeRanges', () => {
  it('fetches the remaining ranges of a 4,000-member group and gives one attribute with every member in order', async () => {
    const g = rangedGroup(4000);
    const entry: DirectoryEntry = { dn: 'CN=Big,DC=samdom,DC=test', attributes: { cn: ['Big'], 'member;range=0-1499': g.all.slice(0, 1500) } };
    expect(hasRangedAttribute(entry)).toBe(true);
    await completeRanges(entry, g.fetch);
    expect(entry.attributes).toEqual({ cn: ['Big'], member: g.all });
    expect(hasRangedAttribute(entry)).toBe(false);
    expect(g.asked).toEqual(['CN=Big,DC=samdom,DC=test member;range=1500-*', 'CN=Big,DC=samdom,DC=test member;range=3000-*']);
  });

  it('renames a first piece that is already the last (range=0-*) without asking the directory', async () => {
    const g = rangedGroup(10);
    const entry: DirectoryEntry = { dn: 'CN=Small', attributes: { 'member;range=0-*': g.all } };
    await completeRanges(entry, g.fetch);
    expect(entry.attributes).toEqual({ member: g.all });
    expect(g.asked).toEqual([]);
  });

  it('fails when the directory stops answering with the attribute or answers another range', async () => {
    const entry = (): DirectoryEntry => ({ dn: 'CN=Big', attributes: { 'member;range=0-1': ['a', 'b'] } });
    await expect(completeRanges(entry(), async () => [])).rejects.toThrow('the directory returned no values of member of CN=Big from value 2 on');
    await expect(completeRanges(entry(), async () => [{ name: 'member;range=5-*', values: ['f'], binary: false }])).rejects.toThrow('asked for member;range=2-* of CN=Big, the directory answered member;range=5-*');
  });
});


describe('the read worker page writer and ranged entries', () => {
  it('holds back entries with a ranged attribute (also one that needs escaping) and writes them, completed, in their places', async () => {
    const g = rangedGroup(1600);
    const bytes = [
      encodeEntry('cn=a', [['cn', [utf8('a')]]]),
      encodeEntry('cn=big', [['cn', [utf8('big')]], ['member;range=0-1499', g.all.slice(0, 1500).map(utf8)]]),
      encodeEntry('cn=b', [['cn', [utf8('b')]]]),
      encodeEntry('cn="q"', [['description', [utf8('say "hi"')]], ['member;range=0-1499', g.all.slice(0, 1500).map(utf8)]]),
    ];
    const writer = new JsonPageWriter();
    for (const b of bytes) writer.add(b, 0, b.length);
    const page = writer.finish();
    expect(page.count).toBe(4);
    expect(page.held?.map((h) => h.entry.dn)).toEqual(['cn=big', 'cn="q"']);
    for (const h of page.held!) await completeRanges(h.entry, g.fetch);
    const entries = decodeEntryPage(assembleJsonPage(page).buffer);
    expect(entries.map((e) => e.dn)).toEqual(['cn=a', 'cn=big', 'cn=b', 'cn="q"']);
    expect(entries[1].attributes).toEqual({ cn: ['big'], member: g.all });
    expect(entries[3].attributes).toEqual({ description: ['say "hi"'], member: g.all });
    expect(entries[0]).toEqual(decodeSearchEntry(bytes[0], 0, bytes[0].length));
  });

  it('decodes a follow-up answer keeping an attribute without values', () => {
    const b = encodeEntry('cn=big', [['member;range=1500-*', []], ['objectGUID', [Buffer.from([1, 2])]]]);
    expect(decodeEntryAttributes(b, 0, b.length)).toEqual([
      { name: 'member;range=1500-*', values: [], binary: false },
      { name: 'objectGUID', values: ['AQI='], binary: true },
    ]);
  });
});
