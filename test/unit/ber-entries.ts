/**
 * SearchResultEntry contents (objectName, attributes) as a server sends them, made with ldapts's
 * BER writer: the input of the decoder and page-writer tests.
 */
import { BerWriter } from 'ldapts';

/** An attribute: its description and its values as bytes. */
export type Attr = [name: string, values: Buffer[]];

/** The bytes of a SearchResultEntry's contents. */
export function encodeEntry(dn: string, attrs: Attr[]): Buffer {
  const w = new BerWriter();
  w.writeString(dn);
  w.startSequence();
  for (const [name, values] of attrs) {
    w.startSequence();
    w.writeString(name);
    w.startSequence(0x31);
    for (const v of values) w.writeBuffer(v, 0x04);
    w.endSequence();
    w.endSequence();
  }
  w.endSequence();
  return w.buffer;
}

/** A value's UTF-8 bytes. */
export const utf8 = (s: string) => Buffer.from(s, 'utf8');
