import { expect, it } from 'vitest';
import { decodeColumnPage } from '../../src-main/directory/column-page';
import { pageText } from '../../src-main/directory/page-text';

/** A buffer holding `head` bytes of zeros, then `text` as UTF-8. */
function page(text: string, head = 4): ArrayBuffer {
  const bytes = new TextEncoder().encode(text);
  const buffer = new ArrayBuffer(head + bytes.length);
  new Uint8Array(buffer, head).set(bytes);
  return buffer;
}

it('reads a page as the UTF-8 it was written as, ASCII or not', () => {
  for (const text of ['', 'plain ascii ["uid=a,dc=x"]', 'Dörte Émile', 'naïve ☃ 𝄞 中文', '\u0000\u007f', 'é'.repeat(5000), `${'a'.repeat(100000)}ß`]) {
    expect(pageText(page(text), 4)).toBe(text);
    expect(pageText(page(text, 0), 0)).toBe(text);
  }
});

it('decodes column pages of non-ASCII values exactly', () => {
  const slots = ['uid=dörte,dc=example', 'Dörte', ['a', 'b'], 0, 'uid=plain,dc=example', 'plain', 'x', 'y'];
  const text = JSON.stringify(slots);
  const bytes = new TextEncoder().encode(text);
  const buffer = new ArrayBuffer(4 + bytes.length);
  new DataView(buffer).setUint32(0, 2, true);
  new Uint8Array(buffer, 4).set(bytes);
  const p = decodeColumnPage(buffer, ['cn', 'mail', 'sn']);
  expect([p.dn(0), p.valueAt(0, 0, 0), p.valueCount(0, 1), p.valueAt(0, 1, 1), p.valueCount(0, 2)]).toEqual(['uid=dörte,dc=example', 'Dörte', 2, 'b', 0]);
  expect([p.dn(1), p.valueAt(1, 0, 0), p.valueAt(1, 2, 0)]).toEqual(['uid=plain,dc=example', 'plain', 'y']);
});
