/**
 * Unicode in directory strings against slapd: caseIgnoreMatch (sn) and caseExactMatch find the
 * same entries on slapd and in the offline evaluator, for hand-picked strings (the dotted capital
 * I, letters a compatibility decomposition makes, characters newer than slapd's Unicode 3.2
 * tables, combining sequences, letters above U+FFFF) and for code points sampled from every
 * character up to U+2FFFF that has a case mapping or a compatibility decomposition
 * (FILTER_UNICODE_ALL=1 tests all ~7,700 of them: 15,500 searches, 5-10 minutes on a busy machine).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNICODE_3_2_ASSIGNED } from '../../src-main/snapshots/slapd-unicode';
import { escapeFilterValue } from '../../src-shared/ldap/filter';
import { startConformanceRig, type ConformanceRig } from './filter-conformance-rig';

const CURATED = [
  'İstanbul', 'ISTANBUL', 'istanbul', 'ıstanbul', 'i\u0307stanbul', 'İ', 'i\u0307', 'I',
  'Straße', 'STRASSE', 'strasse', 'ẞ', 'ß', 'ΟΔΟΣ', 'οδοσ', 'οδος',
  '㎒', 'MHz', 'mhz', '℡', 'TEL', 'tel', 'Ⅻ', 'ⅻ', 'XII', 'xii', 'Ⓐ', 'ⓐ', 'A', 'ǅ', 'Ǆ', 'ǆ', 'dž', 'DŽ',
  '\u212a', 'k', '\u2126', 'ω', '\u212b', 'å', 'ϓ', 'Ύ', 'ύ', 'Ꭰ', 'ꭰ', 'Ⴀ', 'ⴀ', 'Ɐ', 'ɐ', 'ﬁne', 'FINE', 'fine',
  '한국', '\u1112\u1161\u11ab\u1100\u116e\u11a8', 'e\u0301cole', 'École', 'ÉCOLE', 'E\u0301COLE', 'a\u0323\u0307', 'a\u0307\u0323', 'ạ\u0307',
  '𐐀', '𐐨', '𝐀', '𝒜', '𝙰', 'Ａ', 'ａ', '\uf900', '\u8c48', '\uf902', '\u8eca', '\ufa70', '\u8c6c', '\u2f12', '\u529b', '\uf98a', '𐒰', '𐓘',
  'Σίσυφος', 'ΣΊΣΥΦΟΣ',
];

/** Every code point up to U+2FFFF (after ASCII) with a case mapping or a compatibility decomposition. */
function foldingCodePoints(): string[] {
  const out: string[] = [];
  for (let cp = 0xa0; cp <= 0x2ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const c = String.fromCodePoint(cp);
    if (!/\p{Assigned}/u.test(c) || /[\p{Cc}\p{Co}]/u.test(c)) continue;
    if (c.toLowerCase() !== c || c.toUpperCase() !== c || c.normalize('NFKC') !== c) out.push(c);
  }
  return out;
}

/** A seeded sample (the same every run) unless FILTER_UNICODE_ALL is set. */
function sample<T>(items: T[], size: number): T[] {
  if (process.env.FILTER_UNICODE_ALL) return items;
  let s = 20261207;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const picked = new Set<number>();
  while (picked.size < Math.min(size, items.length)) picked.add(Math.floor(next() * items.length));
  return [...picked].sort((a, b) => a - b).map((k) => items[k]);
}

const CODE_POINTS = sample(foldingCodePoints(), 600);
const hex = (c: string) => c.codePointAt(0)!.toString(16).padStart(4, '0');

let rig: ConformanceRig;
beforeAll(async () => {
  rig = await startConformanceRig('unicode', [
    ...CURATED.map((s, k): [string, Record<string, string[]>] => [`w${k}`, { sn: [s], description: [`x ${s} y`] }]),
    ...CODE_POINTS.map((c): [string, Record<string, string[]>] => [`u${hex(c)}`, { sn: [`x${c}y`] }]),
  ]);
}, 120_000);
afterAll(() => rig?.stop());

describe('directory strings: the same entries as slapd', () => {
  it('for the dotted capital I: İ folds to i, not to i + U+0307', async () => {
    const found = await rig.slapd('(sn=istanbul)');
    expect(rig.local('(sn=istanbul)')).toEqual(found);
    expect(found.map((n) => CURATED[Number(n.slice(1))])).toEqual(['İstanbul', 'ISTANBUL', 'istanbul']);
    expect(rig.local('(sn=i\u0307stanbul)')).toEqual(await rig.slapd('(sn=i\u0307stanbul)'));
  });

  it('for letters a compatibility decomposition makes, which slapd does not fold (㎒ is "MHz")', async () => {
    for (const filter of ['(sn=mhz)', '(sn=㎒)', '(sn=tel)', '(sn=℡)']) expect(rig.local(filter), filter).toEqual(await rig.slapd(filter));
    expect(rig.local('(sn=㎒)').map((n) => CURATED[Number(n.slice(1))])).toEqual(['㎒']);
  });

  it('for characters newer than slapd\'s Unicode 3.2 tables, which it neither folds nor decomposes', async () => {
    for (const filter of ['(sn=ß)', '(sn=ẞ)', '(sn=ꭰ)', '(sn=Ꭰ)', '(sn=ⴀ)', '(sn=ɐ)', '(sn=\\ef\\a9\\b0)']) expect(rig.local(filter), filter).toEqual(await rig.slapd(filter));
  });

  it('for every hand-picked string by equality, caseExactMatch, substrings and NOT', async () => {
    const filters = CURATED.flatMap((s) => {
      const v = escapeFilterValue(s);
      return [`(sn=${v})`, `(sn=${escapeFilterValue(s.toUpperCase())})`, `(sn:caseExactMatch:=${v})`, `(description=*${v}*)`, `(description=x ${v}*)`, `(!(sn=${v}))`];
    });
    expect(await rig.disagreements(filters)).toEqual([]);
  }, 300_000);

  it(`for ${CODE_POINTS.length} code points with a case mapping or a compatibility decomposition, alone between ASCII letters`, async () => {
    const filters = CODE_POINTS.flatMap((c) => [`(sn=${escapeFilterValue(`x${c}y`)})`, `(sn:caseExactMatch:=${escapeFilterValue(`x${c}y`)})`]);
    const problems = await rig.disagreements(filters);
    expect(problems).toEqual([]);
  }, process.env.FILTER_UNICODE_ALL ? 3_600_000 : 300_000);
});

describe('the Unicode 3.2 table', () => {
  it('is what Python\'s unicodedata.ucd_3_2_0 says is assigned', () => {
    const script = `
import unicodedata
u = unicodedata.ucd_3_2_0
out, start = [], None
for cp in range(0x110000):
    known = u.category(chr(cp)) != 'Cn'
    if known and start is None: start = cp
    if not known and start is not None:
        out.append('%x' % start if start == cp - 1 else '%x-%x' % (start, cp - 1)); start = None
if start is not None: out.append('%x-%x' % (start, 0x10ffff))
print(' '.join(out))
`;
    const run = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(UNICODE_3_2_ASSIGNED.join(' ')).toBe(run.stdout.trim());
  });
});
