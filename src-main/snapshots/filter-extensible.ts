/**
 * Extensible matches of filter-eval.ts (`(attr:dn:rule:=value)`): the matching rules slapd offers for
 * them (equality and ordering rules by name or OID, AD's bitwise AND / OR), whether a rule applies to
 * an attribute (slapd's matchingRuleUse), and the DN's own values with `:dn:`.
 */
import type { FilterNode } from '../../src-shared/ldap/filter';
import { isBinaryAttribute } from '../directory/binary-attributes';
import { attributeType, family, isSubtype, type AttributeType, type Kind } from './filter-schema';
import { objectCategoryTest, objectClassTest } from './filter-items';
import { CompileError, F, listedBinary, Selector, someValuesOf, T, U, undefinedTest, type FilterEntry, type Test, type TV } from './filter-select';
import { assertionBytes, compareNormalized, DN_SPECIALS, INTEGER, normalize, splitDn } from './filter-values';

type RuleOp = 'eq' | 'ord' | 'and' | 'or';
interface MatchingRule {
  kind: Kind;
  op: RuleOp;
}

const RULES = new Map<string, MatchingRule>();
for (const [names, kind, op] of [
  ['2.5.13.0 objectIdentifierMatch', 'oid', 'eq'],
  ['2.5.13.1 distinguishedNameMatch', 'dn', 'eq'],
  ['2.5.13.2 caseIgnoreMatch', 'ci', 'eq'],
  ['2.5.13.3 caseIgnoreOrderingMatch', 'ci', 'ord'],
  ['2.5.13.5 caseExactMatch', 'ce', 'eq'],
  ['2.5.13.6 caseExactOrderingMatch', 'ce', 'ord'],
  ['2.5.13.8 numericStringMatch', 'num', 'eq'],
  ['2.5.13.9 numericStringOrderingMatch', 'num', 'ord'],
  ['2.5.13.11 caseIgnoreListMatch', 'list', 'eq'],
  ['2.5.13.13 booleanMatch', 'bool', 'eq'],
  ['2.5.13.14 integerMatch', 'int', 'eq'],
  ['2.5.13.15 integerOrderingMatch', 'int', 'ord'],
  ['2.5.13.16 bitStringMatch', 'bits', 'eq'],
  ['2.5.13.17 octetStringMatch', 'octet', 'eq'],
  ['2.5.13.18 octetStringOrderingMatch', 'octet', 'ord'],
  ['2.5.13.20 telephoneNumberMatch', 'tel', 'eq'],
  ['2.5.13.23 uniqueMemberMatch', 'uniq', 'eq'],
  ['2.5.13.27 generalizedTimeMatch', 'time', 'eq'],
  ['2.5.13.28 generalizedTimeOrderingMatch', 'time', 'ord'],
  ['1.3.6.1.4.1.1466.109.114.1 caseExactIA5Match', 'cea5', 'eq'],
  ['1.3.6.1.4.1.1466.109.114.2 caseIgnoreIA5Match', 'cia5', 'eq'],
  // slapd does not offer the UUID rules for extensible matches (no matchingRuleUse): Undefined.
  ['1.3.6.1.1.16.2 UUIDMatch', 'x', 'eq'],
  ['1.3.6.1.1.16.3 UUIDOrderingMatch', 'x', 'ord'],
  ['1.2.840.113556.1.4.803 integerBitAndMatch', 'int', 'and'],
  ['1.2.840.113556.1.4.804 integerBitOrMatch', 'int', 'or'],
] as const) {
  for (const name of names.split(' ')) RULES.set(name.toLowerCase(), { kind, op });
}
const SUBSTRING_RULES = new Set(
  ['2.5.13.4', 'caseIgnoreSubstringsMatch', '2.5.13.7', 'caseExactSubstringsMatch', '2.5.13.10', 'numericStringSubstringsMatch',
    '2.5.13.12', 'caseIgnoreListSubstringsMatch', '2.5.13.19', 'octetStringSubstringsMatch', '2.5.13.21', 'telephoneNumberSubstringsMatch',
    '1.3.6.1.4.1.1466.109.114.3', 'caseIgnoreIA5SubstringsMatch', '1.3.6.1.4.1.4203.1.2.1', 'caseExactIA5SubstringsMatch'].map((r) => r.toLowerCase()),
);
const IN_CHAIN = '1.2.840.113556.1.4.1941';
const CLASS_TYPES = new Set(['objectclass', 'structuralobjectclass']);

/** slapd's mr_usable_with_at: the rule is the type's EQUALITY rule's family, or one its syntax admits. */
function ruleApplies(rule: MatchingRule, type: AttributeType): boolean {
  if (!type.known) return true;
  const wanted = family(rule.kind);
  return (type.eq !== null && family(type.eq) === wanted) || type.also.includes(wanted!);
}

/** The rule named (any case), or a CompileError saying what to write instead. */
export function lookupRule(name: string): MatchingRule {
  const key = name.toLowerCase();
  const rule = RULES.get(key);
  if (rule !== undefined) return rule;
  if (key === IN_CHAIN) {
    throw new CompileError(`The matching rule ${IN_CHAIN} (LDAP_MATCHING_RULE_IN_CHAIN) follows group nesting across the whole directory and cannot be evaluated on single entries: match (memberOf=...) directly`);
  }
  if (SUBSTRING_RULES.has(key)) throw new CompileError(`The substring rule "${name}" cannot be used in an extensible match: write a substring filter such as (cn=*value*)`);
  throw new CompileError(`The matching rule "${name}" is not supported: use :dn:, an equality or ordering rule such as caseExactMatch or integerOrderingMatch, or the bitwise rules 1.2.840.113556.1.4.803 / .804`);
}

/** slapd compares bitwise in a C `long long`: a value or mask outside it is a constraint violation. */
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/**
 * A value test for one rule and assertion (TRUE, FALSE, or UNDEFINED for a value the rule cannot
 * compare), or null when the assertion is invalid for the rule.
 */
function ruleValueTest(rule: MatchingRule, value: string): ((v: string, binary: boolean) => TV) | null {
  const { kind, op } = rule;
  if (op === 'and' || op === 'or') {
    // The assertion has INTEGER syntax ("-0" and leading zeros are not integers).
    if (normalize('int', value) === null) return null;
    const mask = BigInt(value);
    const maskFits = mask >= LONG_MIN && mask <= LONG_MAX;
    return (v, binary) => {
      if (binary || !INTEGER.test(v)) return F;
      const n = BigInt(v);
      // slapd's integerBitAndMatch/OrMatch fail (ERANGE) on a number a 64-bit integer cannot hold.
      if (!maskFits || n < LONG_MIN || n > LONG_MAX) return U;
      const bits = n & mask;
      return (op === 'and' ? bits === mask : bits !== 0n) ? T : F;
    };
  }
  const wanted = normalize(kind, value);
  if (wanted === null) return null;
  const bytes = kind === 'octet' ? assertionBytes(value).toString('base64') : null;
  if (op === 'eq') {
    return (v, binary) => ((binary ? bytes !== null && v === bytes : normalize(kind, v) === wanted) ? T : F);
  }
  return (v, binary) => {
    if (binary) return F;
    const n = normalize(kind, v);
    return n !== null && compareNormalized(kind, n, wanted) < 0 ? T : F;
  };
}

/**
 * Calls `test` with the type and value of each AVA of a DN until it returns true. Walks DNs
 * without escapes, quotes, "+", "#" or ";" in place (no arrays: 100k DNs a pass), others via
 * {@link splitDn}. False for an invalid DN.
 */
function someDnAva(dn: string, test: (type: string, value: string) => boolean): boolean {
  if (DN_SPECIALS.test(dn)) {
    for (const rdn of splitDn(dn) ?? []) for (const ava of rdn) if (!ava.ber && test(ava.type, ava.value)) return true;
    return false;
  }
  for (let start = 0; start < dn.length; ) {
    let end = dn.indexOf(',', start);
    if (end === -1) end = dn.length;
    const eq = dn.indexOf('=', start);
    if (eq === -1 || eq > end) return false;
    let type = dn.slice(start, eq);
    if (type.startsWith(' ') || type.endsWith(' ')) type = type.replace(/^ +| +$/g, '');
    let value = dn.slice(eq + 1, end);
    if (value.startsWith(' ') || value.endsWith(' ')) value = value.replace(/^ +| +$/g, '');
    if (test(type, value)) return true;
    start = end + 1;
  }
  return false;
}

/** Compiles an extensible match item. */
export function extensibleTest(node: Extract<FilterNode, { kind: 'extensible' }>, strict: boolean): Test {
  const selector = node.attribute === null ? null : new Selector(node.attribute, strict);
  let rule: MatchingRule;
  if (node.matchingRule !== null) {
    rule = lookupRule(node.matchingRule);
  } else {
    // The parser guarantees an attribute when there is no rule.
    const type = selector!.type;
    if (type.key === 'objectclass' && !node.dnAttributes) return objectClassTest(selector!, node.value);
    if (type.eq === null || type.eq === 'x' || type.eq === 'cat') return type.eq === 'cat' ? objectCategoryTest(selector!, node.value) : undefinedTest;
    rule = { kind: type.eq, op: 'eq' };
  }
  if (selector !== null && !ruleApplies(rule, selector.type)) return undefinedTest;
  // slapd fails objectIdentifierMatch named on objectClass values (its matchingRuleUse leaves
  // objectClass out), and without an attribute it reaches every entry's objectClass.
  if (rule.kind === 'oid' && node.matchingRule !== null && (selector === null || CLASS_TYPES.has(selector.type.key))) return undefinedTest;
  const valueTest = ruleValueTest(rule, node.value);
  if (valueTest === null) return undefinedTest;
  // Values in order, like slapd: the first TRUE or UNDEFINED (a value the rule cannot compare) decides.
  const visit = (values: readonly string[], binary: boolean): TV => {
    for (let k = 0; k < values.length; k++) {
      const r = valueTest(values[k], binary);
      if (r !== F) return r;
    }
    return F;
  };
  const typeMatches = new Map<string, boolean>();
  const avaApplies = (type: string): boolean => {
    let ok = typeMatches.get(type);
    if (ok === undefined) {
      const t = attributeType(type);
      ok = selector === null ? ruleApplies(rule, t) && !(strict && (!t.known || t.ad)) : isSubtype(t, selector.type);
      if (typeMatches.size < 1000) typeMatches.set(type, ok);
    }
    return ok;
  };
  const avaTest = (type: string, value: string): boolean => avaApplies(type) && valueTest(value, false) === T;
  const inDn = (entry: FilterEntry): boolean => someDnAva(entry.dn, avaTest);
  if (selector !== null) {
    return (entry) => {
      const r = someValuesOf(selector, entry, visit);
      return r !== F ? r : node.dnAttributes && inDn(entry) ? T : F;
    };
  }
  // No attribute: every attribute of the entry the rule applies to.
  return (entry) => {
    const attributes = entry.attributes;
    for (const name in attributes) {
      if (!avaApplies(name.split(';')[0])) continue;
      const r = visit(attributes[name], isBinaryAttribute(name) || listedBinary(entry, name));
      if (r !== F) return r;
    }
    return node.dnAttributes && inDn(entry) ? T : F;
  };
}
