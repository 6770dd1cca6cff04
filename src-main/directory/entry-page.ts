/**
 * A page of directory entries as one transferable buffer, for moving entries between threads
 * without structured-cloning an object graph (which copies every string and costs the receiving
 * thread as much as decoding). Layout, little-endian:
 *
 *   u32 count | u32 offsets[count + 1] | UTF-8 bytes: entry JSON, entry JSON, ...
 *
 * Each record is one entry's JSON ({ dn, attributes, binary? }); offsets are byte positions in the
 * text part, so a reader can decode one record ({@link entryAt}) or all of them in one JSON.parse
 * ({@link decodeEntryPage}: V8's JSON parser is the cheapest way to build entries on the receiving
 * thread). The encoder runs on the reading thread.
 */
import type { DirectoryEntry } from './entry';

/** A page of entries in one buffer: post `buffer` in the transfer list. */
export interface EntryPageBuffer {
  buffer: ArrayBuffer;
  count: number;
}

/** Encodes entries into one buffer (see the file header for the layout). */
export function encodeEntryPage(entries: readonly DirectoryEntry[]): EntryPageBuffer {
  const n = entries.length;
  const texts = new Array<string>(n);
  const offsets = new Uint32Array(n + 1);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    texts[i] = JSON.stringify(e.binary?.length ? { dn: e.dn, attributes: e.attributes, binary: e.binary } : { dn: e.dn, attributes: e.attributes });
    offsets[i] = bytes;
    bytes += Buffer.byteLength(texts[i], 'utf8') + (i < n - 1 ? 1 : 0);
  }
  offsets[n] = bytes;
  const head = 4 * (n + 2);
  const buffer = new ArrayBuffer(head + bytes);
  const view = new DataView(buffer);
  view.setUint32(0, n, true);
  for (let i = 0; i <= n; i++) view.setUint32(4 * (i + 1), offsets[i], true);
  // One string write: the records joined by commas, so the whole text part is a JSON array body.
  Buffer.from(buffer, head).write(texts.join(','), 'utf8');
  return { buffer, count: n };
}

const decoder = new TextDecoder();

function textStart(view: DataView): number {
  return 4 * (view.getUint32(0, true) + 2);
}

/** Every entry of an encoded page, in order. */
export function decodeEntryPage(buffer: ArrayBuffer): DirectoryEntry[] {
  const view = new DataView(buffer);
  if (view.getUint32(0, true) === 0) return [];
  return JSON.parse(`[${decoder.decode(new Uint8Array(buffer, textStart(view)))}]`) as DirectoryEntry[];
}

/** The number of entries in an encoded page. */
export function entryCount(buffer: ArrayBuffer): number {
  return new DataView(buffer).getUint32(0, true);
}

/** Entry `i` of an encoded page alone (without decoding the others). */
export function entryAt(buffer: ArrayBuffer, i: number): DirectoryEntry {
  const view = new DataView(buffer);
  const n = view.getUint32(0, true);
  if (i < 0 || i >= n) throw new RangeError(`entry ${i} of a page of ${n}`);
  const start = view.getUint32(4 * (i + 1), true);
  let end = view.getUint32(4 * (i + 2), true);
  if (i < n - 1) end -= 1; // the comma between records
  const base = textStart(view);
  return JSON.parse(decoder.decode(new Uint8Array(buffer, base + start, end - start))) as DirectoryEntry;
}
