/**
 * The LDIF reader's size limits and the inputs that used to break it (issue 12.5): a DN of 200k
 * characters overflowed the stack, a value of a few MB in base64 overflowed the regular
 * expression's stack, and a long line was searched again for every chunk (quadratic time).
 * Time itself is measured by `npm run bench:ldif`, not here: these tests prove that such inputs
 * finish, or are refused with the line and the limit.
 */
import { describe, expect, it } from 'vitest';
import { parseDn } from '../../src-shared/ldap/dn';
import { isBase64, LdifReader, LdifSyntaxError, parseLdif } from '../../src-main/snapshots/ldif';
import { LDIF_LIMITS, sizeText } from '../../src-main/snapshots/ldif-limits';

const MiB = 1024 * 1024;

/** Feeds `text` in chunks of `size` characters; returns the entries or throws LdifSyntaxError. */
function readInChunks(text: string, size = 65536, limits = {}) {
  const reader = new LdifReader(limits);
  const out = [];
  for (let k = 0; k < text.length; k += size) out.push(...reader.push(text.slice(k, k + size)));
  out.push(...reader.end());
  return out;
}

function refusal(run: () => unknown): LdifSyntaxError {
  try {
    run();
  } catch (err) {
    if (err instanceof LdifSyntaxError) return err;
    throw err;
  }
  throw new Error('expected an LdifSyntaxError');
}

/** Base64 of `bytes` bytes folded at 76 characters, as ldapsearch writes it. */
function foldedBase64(name: string, bytes: number): string {
  const b64 = Buffer.alloc(bytes, 0xa7).toString('base64');
  let out = `${name}:: ${b64.slice(0, 76 - name.length - 3)}\n`;
  for (let k = 76 - name.length - 3; k < b64.length; k += 75) out += ` ${b64.slice(k, k + 75)}\n`;
  return out;
}

describe('a DN of 200,000 characters', () => {
  const long = `cn=${'a'.repeat(200_000)},dc=example,dc=com`;

  it('parses as a DN without overflowing the stack', () => {
    const parsed = parseDn(long);
    expect(parsed.ok && parsed.rdns[0][0].value.length).toBe(200_000);
  });

  it('is refused by the LDIF reader with its line and the limit', () => {
    const r = parseLdif(`version: 1\n\ndn: cn=ok\ncn: ok\n\ndn: ${long}\ncn: x\n`);
    expect(r).toEqual({ ok: false, line: 6, message: `the DN is 200,021 characters long, over the limit of 65,536 characters: no directory uses DNs this long; check the file` });
  });

  it('is refused as dn:: base64 too', () => {
    const r = parseLdif(`dn:: ${Buffer.from(long).toString('base64')}\ncn: x\n`);
    expect(r).toMatchObject({ ok: false, line: 1, message: expect.stringContaining('over the limit of 65,536 characters') });
  });

  it('of 65,536 characters exactly is read', () => {
    const dn = `cn=${'b'.repeat(65_536 - 3)}`;
    const r = parseLdif(`dn: ${dn}\ncn: x\n`);
    expect(r.ok && r.entries[0].dn).toBe(dn);
  });
});

describe('values', () => {
  it('of 16 MiB in folded base64 (the limit) are read whole, byte for byte', () => {
    const entries = readInChunks(`dn: cn=photo\n${foldedBase64('jpegPhoto', 16 * MiB)}cn: photo\n`);
    expect(entries).toHaveLength(1);
    const bytes = Buffer.from(entries[0].attributes.jpegPhoto[0], 'base64');
    expect(bytes.length).toBe(16 * MiB);
    expect(bytes.every((b) => b === 0xa7)).toBe(true);
    expect(entries[0].attributes.cn).toEqual(['photo']);
  });

  it('one byte over the limit are refused with the line of the value and the limit', () => {
    const e = refusal(() => readInChunks(`dn: cn=photo\ncn: photo\n${foldedBase64('jpegPhoto', 16 * MiB + 1)}`));
    expect(e.line).toBe(3);
    expect(e.problem).toBe('the value of "jpegPhoto" is 16,777,217 bytes, over the limit of 16 MiB (16,777,216 bytes) for one value: leave this attribute out of the export');
  });

  it('as plain text count their UTF-8 bytes', () => {
    const e = refusal(() => readInChunks(`dn: cn=x\ndescription: ${'é'.repeat(6)}\n`, 65536, { valueBytes: 10 }));
    expect(e).toMatchObject({ line: 2, problem: expect.stringContaining('is 12 bytes, over the limit of 10 bytes') });
  });

  it('of a few MB in base64 are checked without overflowing the stack (the old grouped expression did at 4 MB)', () => {
    const b64 = Buffer.alloc(6 * MiB, 1).toString('base64');
    expect(isBase64(b64)).toBe(true);
    expect(isBase64(`${b64.slice(0, -4)}AB=C`)).toBe(false);
    expect(isBase64('QUJD')).toBe(true);
    expect(isBase64('QUI=')).toBe(true);
    expect(isBase64('QQ==')).toBe(true);
    expect(isBase64('QQ=')).toBe(false);
    expect(isBase64('Q===')).toBe(false);
    expect(isBase64('QU I=')).toBe(false);
    expect(isBase64('')).toBe(true);
  });

  it('of an entry are limited in all: the line that passes the limit is named', () => {
    const text = ['dn: cn=big', 'description: aaaaaaaaaa', 'description: bbbbbbbbbb', 'description: cccccccccc', ''].join('\n');
    const e = refusal(() => readInChunks(text, 65536, { entryBytes: 25 }));
    expect(e).toMatchObject({ line: 4, problem: 'the entry "cn=big" holds more than 25 bytes of values, the limit for one entry: leave its largest attributes out of the export' });
  });
});

describe('lines', () => {
  it('longer than the limit are refused before the rest of the line is read (a file without line ends)', () => {
    const reader = new LdifReader();
    reader.push('dn: cn=x\ndescription: ');
    const chunk = 'x'.repeat(MiB);
    let refused: LdifSyntaxError | null = null;
    let pushed = 0;
    try {
      for (; pushed < 100; pushed++) reader.push(chunk);
    } catch (err) {
      refused = err as LdifSyntaxError;
    }
    expect(refused).toBeInstanceOf(LdifSyntaxError);
    expect(refused!.line).toBe(2);
    expect(refused!.problem).toBe(
      `this line is longer than ${sizeText(LDIF_LIMITS.lineChars, 'characters')}, the limit for one line (a value of up to 16 MiB (16,777,216 bytes) in base64): leave such values out of the export, or check that the file is LDIF`,
    );
    // 100 MB were offered; the reader stopped once the line passed ~21 MiB.
    expect(pushed).toBeLessThan(25);
  });

  it('folded past the limit are refused at their first line', () => {
    const e = refusal(() => readInChunks(`dn: cn=x\ncn: x\n# comment\ndescription: ${'a'.repeat(60)}\n${` ${'b'.repeat(60)}\n`.repeat(5)}`, 7, { lineChars: 200 }));
    expect(e.line).toBe(4);
    expect(e.problem).toMatch(/^this line, with the lines that continue it, is longer than 200 characters/);
  });

  it('of any length below the limit are read the same whatever the chunking', () => {
    const text = `dn: cn=x\ndescription: ${'q'.repeat(3 * MiB)}\ncn: x\n`;
    const expected = [{ dn: 'cn=x', attributes: { description: ['q'.repeat(3 * MiB)], cn: ['x'] }, binary: [] }];
    expect(readInChunks(text, 1)).toEqual(expected);
    expect(readInChunks(text, 4093)).toEqual(expected);
    expect(readInChunks(text, 10 * MiB)).toEqual(expected);
  });

  it('with CRLF ends across chunk borders keep their line numbers', () => {
    const e = refusal(() => readInChunks('dn: cn=a\r\ncn: a\r\n\r\ndn: cn=b\r\nno colon here\r\n', 3));
    expect(e.line).toBe(5);
  });
});
