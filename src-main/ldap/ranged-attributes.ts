/**
 * Ranged attribute values (Active Directory's "range retrieval"): a multi-valued attribute with
 * more values than the server's MaxValRange (1,500) comes back as `member;range=0-1499` and no
 * plain `member`; the client asks for `member;range=1500-*` on that entry and so on, until a piece
 * ends in `*`. Scripts must see one attribute `member` with every value, in order, so the live read
 * fetches the rest ({@link completeRanges}) and the LDIF import merges ranged lines
 * (snapshots/ldif.ts); both check the pieces with {@link mergeRangePieces}.
 */
import type { DirectoryEntry } from '../directory/entry';

/** The `;range=LOW-HIGH` option of an attribute description; `high` is null for `*` (the last piece). */
export interface RangeName {
  /** The description without the range option (`member`, `member;binary`), as spelled. */
  base: string;
  low: number;
  high: number | null;
}

const RANGE_OPTION = /;range=([^;]*)/i;
const RANGE_VALUE = /^(\d{1,9})-(\d{1,9}|\*)$/;

/** True when an attribute description carries a range option (well formed or not). */
export const isRangedName = (name: string): boolean => RANGE_OPTION.test(name);

/**
 * Parses `attr;range=LOW-HIGH` (option names ignore case; HIGH is a number or `*`). Returns null
 * without a range option; throws {@link RangeProblem} for one that is malformed (`range=5`,
 * `range=9-3`).
 */
export function parseRangeName(name: string): RangeName | null {
  const m = RANGE_OPTION.exec(name);
  if (!m) return null;
  const v = RANGE_VALUE.exec(m[1]);
  if (!v) throw new RangeProblem(`"${name}" has a malformed range option: write ;range=LOW-HIGH or ;range=LOW-* with whole numbers`);
  const low = Number(v[1]);
  const high = v[2] === '*' ? null : Number(v[2]);
  // AD writes an empty last-but-one piece as LOW-(LOW-1); anything lower is malformed.
  if (high !== null && high < low - 1) throw new RangeProblem(`"${name}" has a range whose end (${high}) is before its start (${low})`);
  const base = name.slice(0, m.index) + name.slice(m.index + m[0].length);
  return { base, low, high };
}

/** A malformed or inconsistent set of range pieces; the message names the attribute and what is wrong. */
export class RangeProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RangeProblem';
  }
}

/** One piece of a ranged attribute: its range and its values (base64 when `binary`). */
export interface RangePiece {
  low: number;
  high: number | null;
  values: string[];
  binary: boolean;
}

const rangeText = (p: RangePiece) => `${p.low}-${p.high ?? '*'}`;

/**
 * Joins the pieces of one attribute, in order, after checking that they start at 0, follow each
 * other without gap or overlap, and that only the last one ends in `*`. When any piece is
 * binary the result is all base64 (text values are re-encoded from their UTF-8 bytes).
 */
export function mergeRangePieces(base: string, pieces: readonly RangePiece[], opts: { complete?: boolean } = {}): { values: string[]; binary: boolean } {
  if (pieces.length === 0) return { values: [], binary: false };
  let next = 0;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i];
    const where = `${base};range=${rangeText(p)}`;
    if (p.low < next) throw new RangeProblem(`${where} overlaps the range before it (which ends at ${next - 1})`);
    if (p.low > next) throw new RangeProblem(`${where} leaves a gap: values ${next}-${p.low - 1} of ${base} are missing`);
    if (p.high === null && i < pieces.length - 1) throw new RangeProblem(`${where} ends in * (the last piece), but ${base};range=${rangeText(pieces[i + 1])} follows it`);
    if (p.high !== null) next = p.high + 1;
  }
  const last = pieces[pieces.length - 1];
  if (opts.complete !== false && last.high !== null) {
    throw new RangeProblem(`${base};range=${rangeText(last)} is not the last piece (it does not end in *): values from ${last.high + 1} on are missing`);
  }
  const binary = pieces.some((p) => p.binary);
  const values: string[] = [];
  for (const p of pieces) {
    if (binary && !p.binary) for (const v of p.values) values.push(Buffer.from(v, 'utf8').toString('base64'));
    else for (const v of p.values) values.push(v);
  }
  return { values, binary };
}

/** One attribute of an entry as a follow-up search returned it (empty value sets kept). */
export interface FetchedAttribute {
  name: string;
  values: string[];
  binary: boolean;
}

/** Asks the directory for attribute descriptions of one entry (a base-scope search). */
export type RangeFetch = (dn: string, attributes: string[]) => Promise<FetchedAttribute[]>;

/** The most follow-up requests for one attribute: 100,000 pieces of 1,500 values is far beyond any directory. */
const MAX_PIECES = 100_000;

/** True when an entry holds at least one ranged attribute. */
export function hasRangedAttribute(entry: DirectoryEntry): boolean {
  for (const name in entry.attributes) if (isRangedName(name)) return true;
  return false;
}

/**
 * Completes every ranged attribute of an entry in place: fetches `base;range=HIGH+1-*` until a
 * piece ends in `*`, then replaces the pieces by one attribute named `base` with every value in
 * order (listed in `binary` when its values are base64). Throws {@link RangeProblem} when the
 * directory's answers do not fit together: the read must then fail, never keep part of a group.
 */
export async function completeRanges(entry: DirectoryEntry, fetch: RangeFetch): Promise<void> {
  const groups = new Map<string, { base: string; pieces: RangePiece[]; names: string[] }>();
  const binaryNames = new Set((entry.binary ?? []).map((n) => n.toLowerCase()));
  for (const [name, values] of Object.entries(entry.attributes)) {
    const r = parseRangeName(name);
    if (!r) continue;
    const k = r.base.toLowerCase();
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { base: r.base, pieces: [], names: [] }));
    g.pieces.push({ low: r.low, high: r.high, values, binary: binaryNames.has(name.toLowerCase()) });
    g.names.push(name);
  }
  for (const g of groups.values()) {
    g.pieces.sort((a, b) => a.low - b.low);
    for (let n = 0; g.pieces[g.pieces.length - 1].high !== null; n++) {
      const from = g.pieces[g.pieces.length - 1].high! + 1;
      if (n >= MAX_PIECES) throw new RangeProblem(`${g.base} of ${entry.dn} did not end after ${MAX_PIECES} ranges`);
      const got = (await fetch(entry.dn, [`${g.base};range=${from}-*`]))
        .map((a) => ({ a, r: parseRangeName(a.name) }))
        .filter((x) => x.r !== null && x.r.base.toLowerCase() === g.base.toLowerCase());
      if (got.length !== 1) {
        throw new RangeProblem(`the directory returned no values of ${g.base} of ${entry.dn} from value ${from} on (asked for ${g.base};range=${from}-*): the entry may have changed while it was read`);
      }
      const { a, r } = got[0];
      if (r!.low !== from) throw new RangeProblem(`asked for ${g.base};range=${from}-* of ${entry.dn}, the directory answered ${a.name}`);
      g.pieces.push({ low: r!.low, high: r!.high, values: a.values, binary: a.binary });
    }
    const merged = mergeRangePieces(g.base, g.pieces);
    for (const name of g.names) delete entry.attributes[name];
    const plain = Object.keys(entry.attributes).find((k) => k.toLowerCase() === g.base.toLowerCase());
    if (plain !== undefined) throw new RangeProblem(`${entry.dn} has both ${plain} and ranged values of it`);
    entry.attributes[g.base] = merged.values;
    const others = (entry.binary ?? []).filter((b) => !g.names.some((n) => n.toLowerCase() === b.toLowerCase()));
    if (merged.binary) others.push(g.base);
    if (others.length > 0) entry.binary = others;
    else delete entry.binary;
  }
}
