/**
 * copyQuoted (src-main/ldap/ldap-json.ts), the read worker's check-and-copy of a value into a page:
 * it must accept exactly the bytes a JSON string holds as they are (valid UTF-8 as isUtf8 says,
 * no control character, quote or backslash) and copy them unchanged, four bytes at a time or one
 * by one, short or long. A value it wrongly accepted would reach main as other text than the
 * entry decoder gives; one it wrongly refused only takes the slower path.
 */
import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { copyQuoted } from '../../src-main/ldap/ldap-json';

/** What copyQuoted must answer for these bytes. */
const copyable = (b: Buffer) => isUtf8(b) && !b.some((c) => c < 0x20 || c === 0x22 || c === 0x5c);

/** Why copyQuoted got these bytes wrong, or null (checked without expect: the loops run 200k times). */
function wrong(b: Buffer, out: Buffer): string | null {
  const at = 3;
  const n = copyQuoted(Buffer.concat([Buffer.from('xy'), b, Buffer.from('z')]), 2, 2 + b.length, out, at);
  if (!copyable(b)) return n === -1 ? null : `${b.toString('hex')} accepted`;
  if (n !== at + b.length + 2) return `${b.toString('hex')}: ${n === -1 ? 'refused' : `ends at ${n}`}`;
  if (out[at] !== 0x22 || out[n - 1] !== 0x22 || !out.subarray(at + 1, n - 1).equals(b)) return `${b.toString('hex')} copied wrong`;
  return null;
}

describe('copyQuoted', () => {
  const out = Buffer.alloc(4096);

  it('accepts every code point around the UTF-8 boundaries and refuses surrogates, overlong forms and bytes past U+10FFFF', () => {
    const edges = [0x20, 0x21, 0x7e, 0x7f, 0x80, 0x7ff, 0x800, 0xfff, 0x1000, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x3ffff, 0x40000, 0xfffff, 0x100000, 0x10ffff];
    const errors: string[] = [];
    const add = (e: string | null) => void (e && errors.push(e));
    for (const cp of edges) for (const pad of ['', 'ab', 'abcdefg', 'x'.repeat(70)]) add(wrong(Buffer.from(pad + String.fromCodePoint(cp) + pad, 'utf8'), out));
    const invalid = ['c0 80', 'c1 bf', 'e0 80 80', 'e0 9f bf', 'ed a0 80', 'ed bf bf', 'f0 80 80 80', 'f0 8f bf bf', 'f4 90 80 80', 'f5 80 80 80', 'ff', '80', 'c2', 'e1 80', 'f1 80 80'];
    for (const hex of invalid) for (const pad of ['', 'abcd', 'x'.repeat(70)]) add(wrong(Buffer.concat([Buffer.from(pad), Buffer.from(hex.replace(/ /g, ''), 'hex'), Buffer.from(pad)]), out));
    expect(errors).toEqual([]);
  });

  it('agrees with isUtf8 and the JSON rules on 200,000 random values, short and long', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    // Bytes near every boundary the checks draw, so that random values hit them often.
    const near = [0x00, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7e, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff, 0x41];
    const errors: string[] = [];
    let accepted = 0;
    for (let t = 0; t < 200_000; t++) {
      const b = Buffer.alloc(rnd(t % 4 === 0 ? 100 : 9));
      for (let i = 0; i < b.length; i++) b[i] = rnd(3) === 0 ? rnd(256) : near[rnd(near.length)];
      const e = wrong(b, out);
      if (e && errors.length < 10) errors.push(e);
      if (copyable(b)) accepted++;
    }
    expect(errors).toEqual([]);
    // Both answers were exercised, not only refusals.
    expect(accepted).toBeGreaterThan(20_000);
  });
});
