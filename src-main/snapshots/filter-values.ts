/**
 * Values as slapd normalises them before comparing, one function per kind of matching rule
 * (directory strings, IA5, integers, telephone and numeric strings, generalized times, DNs, OIDs,
 * ...), for the offline filter evaluator (./filter-eval.ts). `null` means "not a valid value for
 * the rule": the filter item is Undefined.
 */
import { escapeDnValue, parseDn, type Ava } from '../../src-shared/ldap/dn';
import { attributeType, objectClasses, type Kind } from './filter-schema';
import { slapdNormalizeUnicode } from './slapd-unicode';


/** How a value is used: as a stored value or equality/ordering assertion, or as a substring piece. */
export const Use = { Value: 0, Initial: 1, Any: 2, Final: 3 } as const;
export type Use = (typeof Use)[keyof typeof Use];

export const ASCII = /^[\x00-\x7f]*$/;
/** Latin-1 text that NFKC leaves as is (no compatibility characters such as NBSP, ª, ², µ, ¼). */
const LATIN1_NFKC = /^[\x00-\x9f\xa1-\xa7\xa9\xab-\xae\xb0\xb1\xb6\xb7\xbb\xbf-\xff]*$/;
/**
 * A lone U+DC80..U+DCFF: how the filter parser keeps bytes that are not UTF-8 (the same code
 * units after a high surrogate are the second half of a character above U+FFFF, such as 𝒜).
 */
const RAW_BYTES = /(?<![\ud800-\udbff])[\udc80-\udcff]/;
const PRINTABLE = /^[A-Za-z0-9'()+,\-./:?= ]*$/;
export const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const CSN = /^[0-9]{14}\.[0-9]{6}Z#[0-9A-Fa-f]{6}#[0-9A-Fa-f]{3}#[0-9A-Fa-f]{6}$/;
export const DESCR_OR_OID = /^(?:[A-Za-z][A-Za-z0-9-]*|(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))+)$/;

/**
 * slapd's UTF8StringNormalize: NFKC (+ case folding), then spaces: all leading ones dropped
 * unless the piece is `any`/`final`, all trailing ones unless it is `initial`/`any`, runs
 * collapsed to one; a string of only spaces is one space.
 */
export function directoryString(value: string, fold: boolean, use: Use): string | null {
  if (value === '' && use === Use.Value) return null;
  let t = value;
  if (!ASCII.test(t)) {
    if (LATIN1_NFKC.test(t)) {
      // Latin-1 letters fold within Latin-1 and NFKC leaves them as they are.
      if (fold) t = t.toLowerCase();
    } else {
      if (RAW_BYTES.test(t)) return null;
      t = slapdNormalizeUnicode(t, fold);
    }
  } else if (fold) {
    t = t.toLowerCase();
  }
  if (t.indexOf(' ') === -1) return t;
  let out = t.replace(/ {2,}/g, ' ');
  if (use !== Use.Any && use !== Use.Final && out.startsWith(' ')) out = out.slice(1);
  // Only spaces: one space (slapd decides this before trimming the end, so a final piece of spaces is empty).
  if (out === '') return ' ';
  if (use !== Use.Initial && use !== Use.Any && out.endsWith(' ')) out = out.slice(0, -1);
  return out;
}

/** slapd's IA5StringNormalize: ASCII only, spaces trimmed and collapsed (in every piece), optional ASCII case folding. */
function ia5String(value: string, fold: boolean): string | null {
  if (!ASCII.test(value)) return null;
  let t = fold ? value.toLowerCase() : value;
  if (t.indexOf(' ') !== -1) t = t.replace(/ {2,}/g, ' ').replace(/^ | $/g, '');
  return t;
}

/** Spaces and hyphens removed; '' (slapd: matches nothing, not Undefined) when nothing else is left. */
function telephoneNumber(value: string): string | null {
  if (value === '' || !PRINTABLE.test(value)) return null;
  return value.replace(/[ -]/g, '');
}

function numericString(value: string): string | null {
  if (!/^[0-9 ]+$/.test(value)) return null;
  const t = value.replace(/ /g, '');
  return t === '' ? ' ' : t;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const TIME = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})(?:([0-9]{2})([0-9]{2})?)?(?:[.,]([0-9]+))?(Z|[+-][0-9]{2}(?:[0-9]{2})?)$/;

/**
 * A GeneralizedTime as a sortable UTC string `YYYYMMDDHHMMSS[.fraction]`, or null when invalid.
 * A fraction applies to the last unit given (hour, minute or second).
 */
function generalizedTime(value: string): string | null {
  const m = TIME.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = +y;
  const month = +mo;
  const day = +d;
  if (month < 1 || month > 12 || day < 1 || day > DAYS[month - 1] || +h > 23) return null;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return null;
  if (mi !== undefined && +mi > 59) return null;
  if (s !== undefined && +s > 60) return null;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const oh = +zone.slice(1, 3);
    const om = zone.length > 3 ? +zone.slice(3, 5) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // Whole seconds since the epoch, plus the fraction of a second as decimal digits.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(+h, mi === undefined ? 0 : +mi, s === undefined ? 0 : +s, 0);
  let seconds = Math.floor(date.getTime() / 1000) - offsetMinutes * 60;
  let fraction = '';
  if (frac !== undefined) {
    if (s !== undefined) {
      fraction = frac;
    } else {
      const unit = mi === undefined ? 3600 : 60;
      const extra = Number(`0.${frac}`) * unit;
      seconds += Math.floor(extra);
      fraction = (extra - Math.floor(extra)).toFixed(9).slice(2);
    }
    fraction = fraction.replace(/0+$/, '');
  }
  const t = new Date(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const text = `${pad(t.getUTCFullYear(), 4)}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`;
  return fraction ? `${text}.${fraction}` : text;
}

/** Compares two valid integers (as text) numerically. */
function compareIntegers(a: string, b: string): number {
  const na = a.startsWith('-');
  const nb = b.startsWith('-');
  if (na !== nb) return na ? -1 : 1;
  const sign = na ? -1 : 1;
  if (a.length !== b.length) return a.length < b.length ? -sign : sign;
  return a < b ? -sign : a > b ? sign : 0;
}

/** Compares by code point (UTF-8 byte order), unlike `<` on UTF-16 code units. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const x = a.charCodeAt(k);
    const y = b.charCodeAt(k);
    if (x === y) continue;
    // A surrogate (U+D800..U+DFFF) stands for a code point above U+FFFF: above U+E000..U+FFFF.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Bytes of a filter assertion value (UTF-8, except U+DC80..U+DCFF, which stand for raw bytes). */
export function assertionBytes(value: string): Buffer {
  if (!RAW_BYTES.test(value)) return Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    parts.push(cp >= 0xdc80 && cp <= 0xdcff ? Buffer.from([cp - 0xdc00]) : Buffer.from(ch, 'utf8'));
  }
  return Buffer.concat(parts);
}

/** A bounded memo for the expensive normalisations (DNs). */
class Memo {
  private map = new Map<string, string | null>();
  constructor(private readonly limit: number) {}
  get(key: string, compute: (key: string) => string | null): string | null {
    const hit = this.map.get(key);
    if (hit !== undefined || this.map.has(key)) return hit!;
    const value = compute(key);
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
    return value;
  }
}
export const dnMemo = new Memo(50_000);

/** Normalises a value with a rule kind; null when it is not valid for the rule's syntax. */
export function normalize(kind: Kind, value: string, use: Use = Use.Value): string | null {
  switch (kind) {
    case 'ci':
    case 'ce':
      return directoryString(value, kind === 'ci', use);
    case 'cia5':
    case 'cea5':
      return ia5String(value, kind === 'cia5');
    case 'int':
      return INTEGER.test(value) && value !== '-0' ? value : null;
    case 'num':
      return numericString(value);
    case 'tel':
      return telephoneNumber(value);
    case 'dn':
    case 'cat':
      return dnMemo.get(value, normalizeDn);
    case 'uniq':
      return normalizeUniqueMember(value);
    case 'oid':
      return normalizeOid(value);
    case 'bool':
      return value === 'TRUE' || value === 'FALSE' ? value : null;
    case 'time':
      return generalizedTime(value);
    case 'octet':
      return value;
    case 'csn':
      return CSN.test(value) ? value.toLowerCase() : null;
    case 'list':
      return value.split('$').map((line) => (line === '' ? '' : directoryString(line, true, use) ?? line)).join('$');
    case 'uuid':
      return UUID.test(value) ? value.toLowerCase() : null;
    case 'bits':
      return /^'[01]*'B$/.test(value) ? value : null;
    case 'x':
      return null;
  }
}

export function compareNormalized(kind: Kind, a: string, b: string): number {
  return kind === 'int' ? compareIntegers(a, b) : compareCodePoints(a, b);
}

function normalizeOid(value: string): string | null {
  if (!DESCR_OR_OID.test(value)) return null;
  const key = value.toLowerCase();
  return objectClasses.get(key)?.ids.at(-1) ?? key;
}

export const DN_SPECIALS = /[\\"+#;<>\0]/;
const DN_TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))+)$/;

/**
 * The RDNs of a DN, or null when it is not RFC 4514. DNs without escapes, quotes, "+", "#" or ";"
 * (nearly all) are split directly, the others go through the full parser (`parseDn`, ~20 µs).
 * Spaces around separators are dropped as `parseDn` does.
 */
export function splitDn(dn: string): Ava[][] | null {
  if (!DN_SPECIALS.test(dn)) {
    if (/^ *$/.test(dn)) return [];
    const rdns: Ava[][] = [];
    for (const part of dn.split(',')) {
      const eq = part.indexOf('=');
      if (eq === -1) return splitDnSlowly(dn);
      let type = part.slice(0, eq);
      if (type.startsWith(' ') || type.endsWith(' ')) type = type.replace(/^ +| +$/g, '');
      if (!DN_TYPE.test(type)) return splitDnSlowly(dn);
      let value = part.slice(eq + 1);
      if (value.startsWith(' ') || value.endsWith(' ')) value = value.replace(/^ +| +$/g, '');
      rdns.push([{ type, value }]);
    }
    return rdns;
  }
  return splitDnSlowly(dn);
}

function splitDnSlowly(dn: string): Ava[][] | null {
  const parsed = parseDn(dn);
  return parsed.ok ? parsed.rdns : null;
}

/** A DN in canonical form (types by primary name, values by their equality rule, RDN parts sorted), or null. */
export function normalizeDn(value: string): string | null {
  const rdns = splitDn(value);
  if (rdns === null) return null;
  return rdns.map((rdn) => (rdn.length === 1 ? canonicalAva(rdn[0]) : rdn.map(canonicalAva).sort().join('+'))).join(',');
}

function canonicalAva(ava: Ava): string {
  const type = attributeType(ava.type);
  if (ava.ber) return `${type.key}=#${ava.value.toLowerCase()}`;
  const kind = type.eq === null || type.eq === 'dn' || type.eq === 'cat' || type.eq === 'x' ? 'ci' : type.eq;
  return `${type.key}=${escapeDnValue(normalize(kind, ava.value) ?? ava.value)}`;
}

function normalizeUniqueMember(value: string): string | null {
  const hash = value.lastIndexOf('#');
  if (hash !== -1 && /^'[01]*'B$/.test(value.slice(hash + 1))) {
    const dn = dnMemo.get(value.slice(0, hash), normalizeDn);
    return dn === null ? null : `${dn}#${value.slice(hash + 1)}`;
  }
  return dnMemo.get(value, normalizeDn);
}
