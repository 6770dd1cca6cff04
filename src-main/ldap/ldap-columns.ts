/**
 * Search result entries straight from BER into a COLUMN page, for a sync's or a simulation's read
 * (src-main/directory/column-page.ts reads it on the main thread). A run asks for a fixed list of
 * attributes, so a page need not name them on every entry: the page is one flat JSON array with, per
 * entry, its DN and then one slot per requested attribute, in the list's order:
 *
 *     ["uid=a,ou=people,dc=x", "Ann", 0, ["staff","admin"], ... , "uid=b,...", ...]
 *
 * A slot is `0` when the entry has no value, the value itself when it has one, an array when it has
 * several; binary attributes (objectGUID...) hold base64, as in the entry JSON. Parsing that is a
 * fraction of the cost of parsing entry objects (no property maps, no array per attribute), and
 * makes a fraction of the garbage.
 *
 * An entry the byte copy cannot express (a value to escape or not UTF-8, one name in two spellings,
 * an attribute that was not asked for, ranged values) is written as its entry object instead
 * ({ dn, attributes, binary? }, exactly as in ldap-json.ts): a slot holding an object is a whole
 * entry, so the reader tells the two apart by the type of the entry's first slot.
 */
import type { NameInfo } from './ldap-decode';
import { nameInfo, TAG_SEQUENCE } from './ldap-decode';
import { copyQuoted, JsonPageWriter, NOT_COPYABLE, RANGED } from './ldap-json';

const TAG_SET = 0x31;
const TAG_OCTET_STRING = 0x04;
const COMMA = 0x2c;
const QUOTE = 0x22;
const ZERO = 0x30;

/**
 * The end of the contents of the element with this tag at q when its length is short (under 128
 * bytes) and it fits before `end`, else -1: exactly the case Reader.enter reads inline.
 */
function shortEnd(buf: Buffer, q: number, end: number, tag: number): number {
  if (q + 1 < end && buf[q] === tag) {
    const len = buf[q + 1];
    if (len < 0x80 && q + 2 + len <= end) return q + 2 + len;
  }
  return -1;
}

/** Which column a name is, remembered on the (per-position, reused) name info of ldap-decode.ts. */
interface ColumnMemo {
  columnsOf?: readonly string[];
  column?: number;
}

/** A page writer for a fixed list of attributes (lower-cased names, in column order). */
export class ColumnPageWriter extends JsonPageWriter {
  private readonly index: Map<string, number>;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly binaries: Uint8Array;
  /** The entry (a counter) whose value set starts[k] holds: older starts are stale (no clearing per entry). */
  private readonly setBy: Int32Array;
  private entry = 0;

  constructor(private readonly columns: readonly string[]) {
    super();
    this.index = new Map(columns.map((c, k) => [c, k]));
    this.setBy = new Int32Array(columns.length);
    this.starts = new Int32Array(columns.length);
    this.ends = new Int32Array(columns.length);
    this.binaries = new Uint8Array(columns.length);
  }

  private columnOf(info: NameInfo): number {
    const m = info as NameInfo & ColumnMemo;
    if (m.columnsOf !== this.columns) {
      m.columnsOf = this.columns;
      m.column = this.index.get(info.lower) ?? -1;
    }
    return m.column!;
  }

  protected override copyEntry(buf: Buffer, p: number, end: number): void {
    const r = this.reader.reset(buf, p, end);
    const de = r.range('the entry DN');
    this.ensure(de - r.start + 2);
    // Written straight into the page at a local offset; this.n moves once the entry is complete.
    let out = this.out;
    let n = copyQuoted(buf, r.start, de, out, this.n);
    if (n < 0) throw NOT_COPYABLE;
    const { starts, ends, binaries, setBy } = this;
    const entry = (this.entry = (this.entry + 1) | 0);
    const attrsEnd = r.enter(TAG_SEQUENCE, 'the attribute list');
    // Elements with a short length (all of a usual entry's but its attribute list) are read
    // inline at a local offset q; any other, and every error, through the reader.
    let q = r.p;
    for (let position = 0; q < attrsEnd; position++) {
      let a = q + 2;
      let partialEnd = shortEnd(buf, q, end, TAG_SEQUENCE);
      if (partialEnd < 0) {
        r.p = q;
        partialEnd = r.enter(TAG_SEQUENCE, 'an attribute');
        a = r.p;
      }
      let ns = a + 2;
      let ne = shortEnd(buf, a, end, TAG_OCTET_STRING);
      if (ne < 0) {
        r.p = a;
        ne = r.range('an attribute name');
        ns = r.start;
      }
      const info = nameInfo(buf, ns, ne, position);
      if (info.ranged) throw RANGED;
      let vs = ne + 2;
      let setEnd = shortEnd(buf, ne, end, TAG_SET);
      if (setEnd < 0) {
        r.p = ne;
        setEnd = r.enter(TAG_SET, 'the values', info.name);
        vs = r.p;
      }
      if (vs < setEnd) {
        const k = this.columnOf(info);
        // Not asked for, or one name in two spellings: the entry object keeps it as the directory sent it.
        if (k < 0 || setBy[k] === entry) throw NOT_COPYABLE;
        setBy[k] = entry;
        starts[k] = vs;
        ends[k] = setEnd;
        binaries[k] = info.binary ? 1 : 0;
      }
      q = partialEnd;
    }
    for (let k = 0; k < setBy.length; k++) {
      if (n + 4 > out.length) [out, n] = this.grow(n, 4);
      out[n++] = COMMA;
      if (setBy[k] !== entry) {
        out[n++] = ZERO;
        continue;
      }
      const setEnd = ends[k];
      let v = starts[k];
      let ve = shortEnd(buf, v, end, TAG_OCTET_STRING);
      if (ve < 0) [v, ve] = this.longValue(v);
      else v += 2;
      const many = ve < setEnd;
      if (many) out[n++] = 0x5b; // [
      for (;;) {
        // Room for the value (base64 is 4/3 of it), its quotes, and the comma or bracket after it.
        const room = 2 * (ve - v) + 8;
        if (n + room > out.length) [out, n] = this.grow(n, room);
        if (binaries[k]) {
          out[n++] = QUOTE;
          n += out.write(buf.toString('base64', v, ve), n, 'latin1');
          out[n++] = QUOTE;
        } else {
          n = copyQuoted(buf, v, ve, out, n);
          if (n < 0) throw NOT_COPYABLE;
        }
        if (ve >= setEnd) break;
        out[n++] = COMMA;
        v = ve;
        ve = shortEnd(buf, v, end, TAG_OCTET_STRING);
        if (ve < 0) [v, ve] = this.longValue(v);
        else v += 2;
      }
      if (many) out[n++] = 0x5d; // ]
    }
    this.n = n;
  }

  /** The value element at q read by the reader (a long length, or an error): its contents' start and end. */
  private longValue(q: number): [number, number] {
    const r = this.reader;
    r.p = q;
    const e = r.range('a value');
    return [r.start, e];
  }
}
