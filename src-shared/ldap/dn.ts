/**
 * RFC 4514 distinguished names: parse, format and normalise.
 *
 * Leniency (documented, RFC 2253-compatible): unescaped spaces around "," "+" and "=" and at
 * both ends of the text are insignificant and dropped, so `ou=people, dc=example, dc=com` parses.
 * Strict RFC 4514 forbids such spaces; accepting them never changes the meaning of a valid DN.
 * Spaces inside a value (`J.  Smith`) and escaped spaces (`\ `, `\20`) are kept.
 * Pure code: runs in main and in the renderer.
 */

/** One attribute-value assertion of an RDN, e.g. `cn=Foo`. */
export interface Ava {
  /** The attribute type as written: a descriptor (`cn`) or a numeric OID (`2.5.4.3`). */
  type: string;
  /** The decoded value; for a `#hex` (BER) value, the hex digits as written, without "#". */
  value: string;
  /** True when the value was written as `#hex` (a BER encoding), not as a string. */
  ber?: boolean;
}

/** A relative distinguished name: one or more AVAs joined by "+" (multi-valued RDN). */
export type Rdn = Ava[];

/** The outcome of {@link parseDn}. An empty `rdns` list is the empty DN (the root DSE). */
export type DnParseResult = { ok: true; rdns: Rdn[] } | { ok: false; message: string; position: number };

const DESCR = /^[A-Za-z][A-Za-z0-9-]*$/;
const NUMERIC_OID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$/;
const HEX2 = /^[0-9A-Fa-f]{2}$/;
/** Characters that may follow "\" literally in an RFC 4514 string value. */
const ESCAPABLE = new Set(['"', '+', ',', ';', '<', '>', '\\', ' ', '#', '=']);
/** Characters that must be escaped anywhere in a string value. */
const MUST_ESCAPE = new Set(['"', '+', ',', ';', '<', '>', '\\']);

/** True for an RFC 4512 attribute type: a descriptor such as `cn` or a numeric OID such as `2.5.4.3`. */
export function isAttributeType(text: string): boolean {
  return DESCR.test(text) || NUMERIC_OID.test(text);
}

/** True for an RFC 4512 attribute description: an attribute type plus optional `;option`s (`cn;lang-en`). */
export function isAttributeDescription(text: string): boolean {
  const [type, ...options] = text.split(';');
  return isAttributeType(type) && options.every((option) => /^[A-Za-z0-9-]+$/.test(option));
}

class DnSyntaxError {
  constructor(
    readonly index: number,
    readonly problem: string,
    readonly hint?: string,
  ) {}
}

function hexOf(code: number): string {
  return code.toString(16).padStart(2, '0');
}

/**
 * Parses an RFC 4514 DN. Positions are 0-based offsets into `text`; `positionOf` lets a caller
 * that extracted the DN from a larger text (e.g. a URL) map them back. `""` parses to `[]`.
 */
export function parseDn(text: string, positionOf: (index: number) => number = (i) => i): DnParseResult {
  try {
    return { ok: true, rdns: new DnParser(text).parse() };
  } catch (error) {
    if (!(error instanceof DnSyntaxError)) throw error;
    const position = positionOf(error.index);
    const hint = error.hint ? `: ${error.hint}` : '';
    return { ok: false, message: `${error.problem} at position ${position}${hint}`, position };
  }
}

class DnParser {
  private i = 0;
  constructor(private readonly text: string) {}

  parse(): Rdn[] {
    const { text } = this;
    this.skipSpaces();
    const rdns: Rdn[] = [];
    if (this.i === text.length) return rdns;
    for (;;) {
      const rdn: Rdn = [this.parseAva()];
      while (text[this.i] === '+') {
        const plus = this.i++;
        this.skipSpaces();
        if (this.i === text.length) throw new DnSyntaxError(plus, 'Nothing follows "+"', 'add another attribute=value after it or remove it');
        rdn.push(this.parseAva());
      }
      rdns.push(rdn);
      if (this.i === text.length) return rdns;
      // parseAva stops only at "," "+" or the end.
      const comma = this.i++;
      this.skipSpaces();
      if (this.i === text.length) throw new DnSyntaxError(comma, 'Trailing ","', 'remove it or add an RDN such as dc=com after it');
    }
  }

  private skipSpaces(): void {
    while (this.text[this.i] === ' ') this.i++;
  }

  private parseAva(): Ava {
    const { text } = this;
    const typeStart = this.i;
    while (this.i < text.length && /[A-Za-z0-9.-]/.test(text[this.i])) this.i++;
    const type = text.slice(typeStart, this.i);
    if (type === '') {
      const found = text[this.i];
      if (found === '=') throw new DnSyntaxError(this.i, 'Missing attribute type before "="', 'write e.g. cn=value');
      if (found === ',' || found === '+') throw new DnSyntaxError(this.i, `Unexpected "${found}" where an attribute type should start`, 'remove the extra separator');
      throw new DnSyntaxError(this.i, `Expected an attribute type such as cn or dc, found "${found}"`);
    }
    if (!isAttributeType(type)) {
      throw new DnSyntaxError(typeStart, `Invalid attribute type "${type}"`, 'use a name such as cn or a numeric OID such as 2.5.4.3');
    }
    this.skipSpaces();
    if (text[this.i] !== '=') {
      throw new DnSyntaxError(this.i, `Expected "=" after attribute type "${type}"`);
    }
    this.i++;
    this.skipSpaces();
    if (text[this.i] === '#') return { type, value: this.parseHexValue(), ber: true };
    return { type, value: this.parseStringValue() };
  }

  private parseHexValue(): string {
    const { text } = this;
    const start = this.i++;
    const hint = 'a BER value is "#" then pairs of hex digits such as #04024869; to start a text value with "#", write \\#';
    while (/[0-9A-Fa-f]/.test(text[this.i] ?? '')) this.i++;
    const digits = text.slice(start + 1, this.i);
    if (digits.length === 0 || digits.length % 2 === 1) throw new DnSyntaxError(start, 'Invalid hex value', hint);
    this.skipSpaces();
    const next = text[this.i];
    if (next !== undefined && next !== ',' && next !== '+') {
      throw new DnSyntaxError(this.i, `Unexpected "${next}" in hex value`, hint);
    }
    return digits;
  }

  /**
   * A string value: plain runs are sliced, not copied character by character, and a run of `\XX`
   * escapes is decoded as UTF-8 on its own (literal characters between runs are whole code points,
   * so this accepts exactly what decoding the whole value's bytes would). Linear in the value's
   * length, without spreading its bytes as arguments (that overflowed the stack at ~125k characters).
   */
  private parseStringValue(): string {
    const { text } = this;
    const start = this.i;
    let out = '';
    /** Start of the plain run not yet added to `out`. */
    let seg = this.i;
    /** A run of `\XX` escapes being collected. */
    let bytes: number[] | null = null;
    while (this.i < text.length) {
      const c = text[this.i];
      if (c === ',' || c === '+') break;
      if (c === '\\') {
        if (seg < this.i) out += text.slice(seg, this.i);
        const pair = text.slice(this.i + 1, this.i + 3);
        const next = text[this.i + 1];
        if (HEX2.test(pair)) {
          (bytes ??= []).push(parseInt(pair, 16));
          this.i += 3;
        } else if (next !== undefined && ESCAPABLE.has(next)) {
          if (bytes) out += decodeEscapedBytes(bytes, start);
          bytes = null;
          out += next;
          this.i += 2;
        } else if (next === undefined) {
          throw new DnSyntaxError(this.i, 'The DN ends with a lone "\\"', 'write \\\\ for a backslash');
        } else {
          throw new DnSyntaxError(this.i, `Invalid escape "\\${next}"`, 'write \\\\ for a backslash, or \\ followed by two hex digits such as \\2C');
        }
        seg = this.i;
        continue;
      }
      if (bytes) out += decodeEscapedBytes(bytes, start);
      bytes = null;
      if (c === ' ') {
        let j = this.i;
        while (text[j] === ' ') j++;
        const after = text[j];
        if (after === undefined || after === ',' || after === '+') {
          // Trailing spaces are insignificant (see the file header).
          if (seg < this.i) out += text.slice(seg, this.i);
          seg = j;
          this.i = j;
          break;
        }
        this.i = j;
        continue;
      }
      if (c === '\0') throw new DnSyntaxError(this.i, 'NUL character in value', 'write \\00');
      if (c === ';') throw new DnSyntaxError(this.i, 'Unescaped ";" in value', 'separate RDNs with ",", or write \\; inside a value');
      if (c === '"' || c === '<' || c === '>') throw new DnSyntaxError(this.i, `Unescaped "${c}" in value`, `write \\${c}`);
      this.i++;
    }
    if (seg < this.i) out += text.slice(seg, this.i);
    if (bytes) out += decodeEscapedBytes(bytes, start);
    return out;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A run of `\XX` escapes as text; the value at `start` is refused when they are not UTF-8. */
function decodeEscapedBytes(bytes: number[], start: number): string {
  try {
    return strictUtf8.decode(Uint8Array.from(bytes));
  } catch {
    throw new DnSyntaxError(start, 'The escaped bytes in this value are not valid UTF-8', 'write binary values as #hex');
  }
}

/**
 * Escapes a string for use as an RDN value: `\` before `" + , ; < > \`, before a leading
 * "#" or space and a trailing space; control characters as `\XX` (lower-case hex).
 * Non-ASCII characters are kept as they are.
 */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let k = 0; k < value.length; k++) {
    const c = value[k];
    const code = c.charCodeAt(0);
    if (MUST_ESCAPE.has(c)) out += `\\${c}`;
    else if (code < 0x20 || code === 0x7f) out += `\\${hexOf(code)}`;
    else if (k === 0 && (c === ' ' || c === '#')) out += `\\${c}`;
    else if (k === value.length - 1 && c === ' ') out += '\\ ';
    else out += c;
  }
  return out;
}

/** Serialises RDNs back to RFC 4514 text (types as given, values escaped, no spaces). */
export function formatDn(rdns: Rdn[]): string {
  return rdns
    .map((rdn) => rdn.map((ava) => `${ava.type}=${ava.ber ? `#${ava.value}` : escapeDnValue(ava.value)}`).join('+'))
    .join(',');
}

/**
 * A canonical form for comparing DNs, or null when `text` is not a valid DN:
 * lower-case attribute types, spaces around separators dropped, canonical escaping,
 * lower-case BER hex, AVAs of a multi-valued RDN sorted. Values keep their case
 * (`CN=Foo, DC=x` -> `cn=Foo,dc=x`); descriptors are not mapped to OIDs.
 */
export function normalizeDn(text: string): string | null {
  const parsed = parseDn(text);
  if (!parsed.ok) return null;
  const rdns = parsed.rdns.map((rdn) =>
    rdn
      .map((ava) => ({ ...ava, type: ava.type.toLowerCase(), value: ava.ber ? ava.value.toLowerCase() : ava.value }))
      .sort((a, b) => (a.type === b.type ? compare(a.value, b.value) : compare(a.type, b.type))),
  );
  return formatDn(rdns);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
