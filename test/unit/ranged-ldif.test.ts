/**
 * LDIF import of ranged values (`member;range=0-1499:` lines, as ldapsearch writes Active
 * Directory's range retrieval): merged into one attribute when complete, refused with the line of
 * the offending piece when they overlap, leave a gap, run backwards or stop short.
 */
import { describe, expect, it } from 'vitest';
import { parseLdif, type LdifParseResult } from '../../src-main/snapshots/ldif';

const lines = (...l: string[]) => `${l.join('\n')}\n`;
const member = (i: number) => `member: CN=User ${i},OU=People,DC=samdom,DC=test`;
const ranged = (range: string, from: number, to: number) => Array.from({ length: to - from }, (_, k) => member(from + k).replace(/^member:/, `member;range=${range}:`));
const failure = (r: LdifParseResult) => {
  if (r.ok) throw new Error('expected a failure');
  return { line: r.line, message: r.message };
};

describe('LDIF ranged values', () => {
  it('merges member;range=0-2 and member;range=3-* into member, values in file order', () => {
    const r = parseLdif(lines('dn: CN=Group,DC=samdom,DC=test', 'cn: Group', ...ranged('0-2', 0, 3), ...ranged('3-*', 3, 5)));
    expect(r).toEqual({
      ok: true,
      entries: [{ dn: 'CN=Group,DC=samdom,DC=test', attributes: { cn: ['Group'], member: [0, 1, 2, 3, 4].map((i) => member(i).slice('member: '.length)) }, binary: [] }],
    });
  });

  it('takes a single piece that is already the last (range=0-*) as the whole attribute', () => {
    const r = parseLdif(lines('dn: cn=g', ...ranged('0-*', 0, 2)));
    expect(r.ok && r.entries[0].attributes).toEqual({ member: ['CN=User 0,OU=People,DC=samdom,DC=test', 'CN=User 1,OU=People,DC=samdom,DC=test'] });
  });

  it('refuses an overlap, naming the line of the piece that overlaps', () => {
    expect(failure(parseLdif(lines('dn: cn=g', ...ranged('0-2', 0, 3), ...ranged('2-*', 2, 4))))).toEqual({
      line: 5,
      message: 'member;range=2-* overlaps the range before it, which ends at 2: each piece starts where the one before ended',
    });
  });

  it('refuses a gap, and a first piece that does not start at 0', () => {
    expect(failure(parseLdif(lines('dn: cn=g', ...ranged('0-2', 0, 3), ...ranged('5-*', 5, 6))))).toMatchObject({ line: 5, message: expect.stringContaining('member;range=5-* leaves a gap: values 3-4 of member are missing') });
    expect(failure(parseLdif(lines('dn: cn=g', ...ranged('1-*', 1, 2))))).toMatchObject({ line: 2, message: expect.stringContaining('values 0-0 of member are missing') });
  });

  it('refuses LOW>HIGH and a malformed range option on their line', () => {
    expect(failure(parseLdif(lines('dn: cn=g', 'cn: g', 'member;range=9-3: x')))).toEqual({ line: 3, message: '"member;range=9-3" has a range whose end (3) is before its start (9)' });
    expect(failure(parseLdif(lines('dn: cn=g', 'member;range=x: y')))).toMatchObject({ line: 2, message: expect.stringContaining('malformed range option') });
  });

  it('refuses a group whose last piece does not end in * (an export of the first range only), and says how to export the rest', () => {
    const f = failure(parseLdif(lines('dn: cn=g', ...ranged('0-2', 0, 3), '', 'dn: cn=h', 'cn: h')));
    expect(f.line).toBe(2);
    expect(f.message).toContain("member;range=0-2 is the last piece of member but does not end in *: values from 3 on are missing; export them too (e.g. ldapsearch ... 'member;range=3-*')");
  });

  it('refuses a piece with fewer values than its range holds', () => {
    expect(failure(parseLdif(lines('dn: cn=g', ...ranged('0-2', 0, 2), ...ranged('3-*', 3, 4))))).toEqual({
      line: 2,
      message: 'member;range=0-2 has 2 values, but its range holds 3: the export is incomplete; export the group again',
    });
  });

  it('refuses plain and ranged lines of one attribute in one record, and a piece after the last one', () => {
    expect(failure(parseLdif(lines('dn: cn=g', member(0), ...ranged('1-*', 1, 2))))).toMatchObject({ line: 3, message: expect.stringContaining('keep one form') });
    expect(failure(parseLdif(lines('dn: cn=g', ...ranged('0-*', 0, 1), ...ranged('1-*', 1, 2))))).toMatchObject({ line: 3, message: expect.stringContaining('which ends in * (the last piece)') });
  });

  it('continues ranged values in the next record of the same DN (one ldapsearch per range, concatenated)', () => {
    const r = parseLdif(lines('dn: CN=Group,DC=samdom,DC=test', 'cn: Group', ...ranged('0-2', 0, 3), '', 'dn: cn=group, dc=samdom, dc=test', ...ranged('3-*', 3, 5), '', 'dn: cn=next', 'cn: next'));
    expect(r.ok && r.entries.map((e) => [e.dn, Object.keys(e.attributes), e.attributes.member?.length])).toEqual([
      ['CN=Group,DC=samdom,DC=test', ['cn', 'member'], 5],
      ['cn=next', ['cn'], undefined],
    ]);
  });

  it('refuses a continuing record that repeats other attributes, and a continuation under another DN', () => {
    expect(failure(parseLdif(lines('dn: cn=g', ...ranged('0-2', 0, 3), '', 'dn: cn=g', 'cn: g', ...ranged('3-*', 3, 4))))).toMatchObject({ line: 7, message: expect.stringContaining('may only continue its ranged values') });
    expect(failure(parseLdif(lines('dn: cn=g', ...ranged('0-2', 0, 3), '', 'dn: cn=other', ...ranged('3-*', 3, 4))))).toMatchObject({ line: 2, message: expect.stringContaining('does not end in *') });
  });
});
