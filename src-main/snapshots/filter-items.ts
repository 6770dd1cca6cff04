/**
 * The simple filter items of filter-eval.ts, compiled for one attribute description: equality
 * (objectClass with its subclasses, AD's objectCategory short form), ordering, substrings and
 * approximate matches, each by the attribute's matching rules (./filter-schema.ts, ./filter-values.ts).
 */
import type { FilterNode } from '../../src-shared/ldap/filter';
import { classAndSubclasses, objectClasses, type Kind } from './filter-schema';
import { F, someValues, undefinedTest, type Selector, type Test } from './filter-select';
import { ASCII, assertionBytes, compareNormalized, directoryString, DESCR_OR_OID, dnMemo, normalize, normalizeDn, splitDn, Use } from './filter-values';

/** Equality (and approximate, `~=`, for non-string kinds) on one kind. */
export function equalityTest(selector: Selector, kind: Kind | null, value: string): Test {
  if (kind === null || kind === 'x') return undefinedTest;
  if (kind === 'cat') return objectCategoryTest(selector, value);
  if (selector.type.key === 'objectclass') return objectClassTest(selector, value);
  // Binary values compare as bytes where the rule compares octets, and for attributes the table does not know.
  const bytes = kind === 'octet' || !selector.type.known ? assertionBytes(value).toString('base64') : null;
  const wanted = normalize(kind, value);
  if (wanted === null && bytes === null) return undefinedTest;
  const visit = (values: readonly string[], binary: boolean): boolean => {
    for (let k = 0; k < values.length; k++) {
      if (binary ? bytes !== null && values[k] === bytes : wanted !== null && normalize(kind, values[k]) === wanted) return true;
    }
    return false;
  };
  return (entry) => someValues(selector, entry, visit);
}

/** objectClass equality: the class or any subclass of it; a class the table does not know by name (strict: Undefined). */
export function objectClassTest(selector: Selector, value: string): Test {
  if (!DESCR_OR_OID.test(value)) return undefinedTest;
  const key = value.toLowerCase();
  const oc = objectClasses.get(key);
  if (selector.strict && (oc === undefined || oc.ad)) return undefinedTest;
  if (oc !== undefined && oc.ids.includes('top')) return (entry) => someValues(selector, entry, () => true);
  const accepted = oc === undefined ? new Set([key]) : classAndSubclasses(oc);
  const visit = (values: readonly string[]): boolean => {
    for (let k = 0; k < values.length; k++) if (accepted.has(values[k].toLowerCase())) return true;
    return false;
  };
  return (entry) => someValues(selector, entry, visit);
}

/** AD: `(objectCategory=person)` names a class: it matches the first RDN value of the stored DN. */
export function objectCategoryTest(selector: Selector, value: string): Test {
  const shortName = !value.includes('=') ? directoryString(value, true, Use.Value) : null;
  const wanted = shortName === null ? normalizeDn(value) : null;
  if (shortName === null && wanted === null) return undefinedTest;
  const visit = (values: readonly string[]): boolean => {
    for (const v of values) {
      if (wanted !== null && dnMemo.get(v, normalizeDn) === wanted) return true;
      if (shortName !== null) {
        const rdns = splitDn(v);
        if (rdns !== null && rdns.length > 0 && directoryString(rdns[0][0].value, true, Use.Value) === shortName) return true;
      }
    }
    return false;
  };
  return (entry) => someValues(selector, entry, visit);
}

/** `>=` (greater) or `<=` by the attribute's ORDERING rule (none: Undefined). */
export function orderingTest(selector: Selector, value: string, greater: boolean): Test {
  const kind = selector.type.ord;
  if (kind === null) return undefinedTest;
  const wanted = normalize(kind, value);
  if (wanted === null) return undefinedTest;
  const visit = (values: readonly string[], binary: boolean): boolean => {
    if (binary) return false;
    for (let k = 0; k < values.length; k++) {
      const v = normalize(kind, values[k]);
      if (v === null) continue;
      const c = compareNormalized(kind, v, wanted);
      if (greater ? c >= 0 : c <= 0) return true;
    }
    return false;
  };
  return (entry) => someValues(selector, entry, visit);
}

/** Substrings: pieces normalised with the EQUALITY rule (as slapd does), matched left to right. */
export function substringsTest(selector: Selector, node: Extract<FilterNode, { kind: 'substrings' }>): Test {
  const kind = selector.type.sub === null ? null : selector.type.eq;
  if (kind === null || kind === 'x') return undefinedTest;
  const piece = (v: string, use: Use) => (kind === 'list' ? directoryString(v, true, use) : normalize(kind, v, use));
  const initial = node.initial === null ? null : piece(node.initial, Use.Initial);
  const final = node.final === null ? null : piece(node.final, Use.Final);
  const any = node.any.map((v) => piece(v, Use.Any));
  if (initial === null && node.initial !== null) return undefinedTest;
  if (final === null && node.final !== null) return undefinedTest;
  if (any.some((v) => v === null)) return undefinedTest;
  if (kind === 'tel' && (initial === '' || final === '' || any.includes(''))) return () => F;
  const anyPieces = (any as string[]).filter((v) => v !== '');
  const matches = (value: string): boolean => {
    let from = 0;
    let end = value.length;
    if (initial !== null) {
      if (!value.startsWith(initial)) return false;
      from = initial.length;
    }
    if (final !== null) {
      if (value.length - from < final.length || !value.endsWith(final)) return false;
      end = value.length - final.length;
    }
    for (const p of anyPieces) {
      const at = value.indexOf(p, from);
      if (at === -1 || at + p.length > end) return false;
      from = at + p.length;
    }
    return true;
  };
  const visit = (values: readonly string[], binary: boolean): boolean => {
    if (binary) return false;
    for (let k = 0; k < values.length; k++) {
      const v = normalize(kind, values[k]);
      if (v !== null && matches(v)) return true;
    }
    return false;
  };
  return (entry) => someValues(selector, entry, visit);
}

/** The words of a value for `~=`: lower-cased, accents dropped. */
function approxWords(value: string): string[] {
  const t = ASCII.test(value) ? value.toLowerCase() : value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return t.split(' ').filter((w) => w !== '');
}

/** True when `wanted` is a subsequence of `words`. */
function inOrder(words: string[], wanted: string[]): boolean {
  let next = 0;
  for (const w of wanted) {
    while (next < words.length && words[next] !== w) next++;
    if (next === words.length) return false;
    next++;
  }
  return true;
}

/** `~=` on strings: every word of the assertion is a word of the value, in order (slapd's approxMatch, no phonetics). */
export function approxTest(selector: Selector, value: string): Test {
  const kind = selector.type.eq;
  if (selector.type.key === 'objectclass') return objectClassTest(selector, value);
  if (kind !== 'ci' && kind !== 'ce' && kind !== 'cia5' && kind !== 'cea5' && kind !== 'list') return equalityTest(selector, kind, value);
  if (normalize(kind, value) === null) return undefinedTest;
  const wanted = approxWords(value);
  if (wanted.length === 0) return () => F;
  const visit = (values: readonly string[], binary: boolean): boolean => {
    if (binary) return false;
    for (let k = 0; k < values.length; k++) if (inOrder(approxWords(values[k]), wanted)) return true;
    return false;
  };
  return (entry) => someValues(selector, entry, visit);
}
