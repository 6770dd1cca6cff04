/**
 * Extensible matches against slapd: the bitwise rules integerBitAndMatch (1.2.840.113556.1.4.803)
 * and integerBitOrMatch (.804) and the integer rules on mailPreferenceOption, the INTEGER of the
 * standard cosine schema that has no EQUALITY rule (as userAccountControl in OpenLDAP's msuser
 * schema), NOT over those matches, and which rules apply to which attribute at all (slapd's
 * matchingRuleUse).
 */
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFilter } from '../../src-main/snapshots/filter-eval';
import { startSlapd } from '../rig/slapd';
import { startConformanceRig, type ConformanceRig } from './filter-conformance-rig';

/** mailPreferenceOption values: in a 64-bit integer, outside it, several values, none. */
const VALUES: Record<string, string[]> = {
  zero: ['0'], two: ['2'], three: ['3'], minusOne: ['-1'], security: ['-2147483646'], max: ['9223372036854775807'], min: ['-9223372036854775808'],
  tooBig: ['9223372036854775808'], huge: ['18446744073709551617'], oneAndFour: ['1', '4'], oneThenTooBig: ['1', '99999999999999999999'],
  tooBigThenTwo: ['99999999999999999999', '2'], absent: [],
};

let rig: ConformanceRig;
beforeAll(async () => {
  rig = await startConformanceRig('bits', Object.entries(VALUES).map(([name, values]): [string, Record<string, string[]>] => [name, values.length ? { mailPreferenceOption: values } : {}]));
}, 120_000);
afterAll(() => rig?.stop());

const RULES = ['1.2.840.113556.1.4.803', 'integerBitAndMatch', '1.2.840.113556.1.4.804', 'INTEGERBITORMATCH'];
const MASKS = ['0', '1', '2', '3', '5', '-1', '-2', '-2147483648', '2147483648', '9223372036854775807', '-9223372036854775808',
  '9223372036854775808', '-9223372036854775809', 'x', '02', '-0', '+2', ' 2', ''];
/** With the attribute, without one (every INTEGER attribute), with :dn:, on an attribute of another syntax. */
const TARGETS = ['mailPreferenceOption', '', 'mailPreferenceOption:dn', 'sn'];

function bitwiseFilters(): string[] {
  const out: string[] = [];
  for (const target of TARGETS) for (const rule of RULES) for (const mask of MASKS) {
    const item = `(${target}:${rule}:=${mask})`;
    out.push(item, `(!${item})`);
  }
  return out;
}

describe('bitwise matches on an INTEGER without an EQUALITY rule: the same entries as slapd', () => {
  it('for every rule spelling, mask and target, and NOT over each', async () => {
    const filters = bitwiseFilters();
    expect(filters.length).toBe(TARGETS.length * RULES.length * MASKS.length * 2);
    expect(await rig.disagreements(filters)).toEqual([]);
  });

  it('selects by bit, negative numbers in two\'s complement', async () => {
    expect(await rig.slapd('(mailPreferenceOption:1.2.840.113556.1.4.803:=2)')).toEqual(['max', 'minusOne', 'security', 'three', 'two']);
    expect(rig.local('(mailPreferenceOption:1.2.840.113556.1.4.803:=2)')).toEqual(['max', 'minusOne', 'security', 'three', 'two']);
    expect(rig.local('(mailPreferenceOption:integerBitOrMatch:=5)')).toEqual(['max', 'minusOne', 'oneAndFour', 'oneThenTooBig', 'three']);
  });

  it('answers Undefined for a value a 64-bit integer cannot hold, unless an earlier value already matched', async () => {
    // tooBigThenTwo fails on its first value; oneThenTooBig matches mask 1 on its first.
    expect(await rig.slapd('(mailPreferenceOption:1.2.840.113556.1.4.804:=2)')).not.toContain('tooBigThenTwo');
    expect(rig.local('(mailPreferenceOption:1.2.840.113556.1.4.804:=2)')).not.toContain('tooBigThenTwo');
    expect(rig.local('(mailPreferenceOption:1.2.840.113556.1.4.804:=1)')).toContain('oneThenTooBig');
    expect(rig.local('(!(mailPreferenceOption:1.2.840.113556.1.4.804:=2))')).not.toContain('tooBigThenTwo');
  });
});

describe('NOT over an extensible match: the same entries as slapd', () => {
  const filters = [
    // An absent attribute makes the match FALSE, so NOT makes it TRUE.
    '(!(mailPreferenceOption:1.2.840.113556.1.4.803:=2))',
    '(!(mailPreferenceOption:integerBitOrMatch:=1))',
    // A mask no 64-bit integer holds: Undefined where the attribute is, FALSE (NOT: TRUE) where it is not.
    '(!(mailPreferenceOption:1.2.840.113556.1.4.803:=9223372036854775808))',
    // An assertion value that is not an INTEGER, or a rule that does not apply: Undefined for every entry.
    '(!(mailPreferenceOption:1.2.840.113556.1.4.803:=x))',
    '(!(sn:1.2.840.113556.1.4.803:=1))',
    // No EQUALITY rule: equality, ordering and the default extensible rule are Undefined; integerMatch by name is not.
    '(!(mailPreferenceOption=2))', '(!(mailPreferenceOption>=2))', '(!(mailPreferenceOption:=2))', '(mailPreferenceOption=*)', '(!(mailPreferenceOption=*))',
    '(mailPreferenceOption:integerMatch:=2)', '(!(mailPreferenceOption:integerMatch:=2))', '(mailPreferenceOption:2.5.13.14:=99999999999999999999)',
    '(mailPreferenceOption:integerOrderingMatch:=2)', '(!(mailPreferenceOption:integerOrderingMatch:=99999999999999999999))',
    '(&(!(mailPreferenceOption:1.2.840.113556.1.4.803:=1))(!(mailPreferenceOption:1.2.840.113556.1.4.803:=2)))',
    '(|(!(mailPreferenceOption:1.2.840.113556.1.4.803:=9223372036854775808))(cn=two))',
  ];

  it('for absent attributes, out-of-range masks, invalid assertions and rules that do not apply', async () => {
    expect(await rig.disagreements(filters)).toEqual([]);
  });

  it('is TRUE for an entry without the attribute', () => {
    expect(rig.local('(!(mailPreferenceOption:1.2.840.113556.1.4.803:=2))')).toEqual(['absent', 'min', 'oneAndFour', 'zero']);
    expect(rig.local('(!(mailPreferenceOption:1.2.840.113556.1.4.803:=9223372036854775808))')).toEqual(['absent']);
    expect(rig.local('(!(mailPreferenceOption=2))')).toEqual([]);
  });
});

/** An assertion value each rule accepts, to ask whether the rule applies to an attribute. */
const RULE_VALUES: Record<string, string> = {
  objectIdentifierMatch: '2.5.4.3', distinguishedNameMatch: 'cn=x', caseIgnoreMatch: 'x', caseIgnoreOrderingMatch: 'x', caseExactMatch: 'x',
  caseExactOrderingMatch: 'x', numericStringMatch: '1', numericStringOrderingMatch: '1', caseIgnoreListMatch: 'x', booleanMatch: 'TRUE',
  integerMatch: '1', integerOrderingMatch: '1', bitStringMatch: "'1'B", octetStringMatch: 'x', octetStringOrderingMatch: 'x',
  telephoneNumberMatch: '1', uniqueMemberMatch: 'cn=x', generalizedTimeMatch: '20200101000000Z', generalizedTimeOrderingMatch: '20200101000000Z',
  caseExactIA5Match: 'x', caseIgnoreIA5Match: 'x', UUIDMatch: '8a3c6e7e-1f2d-4c5b-9a8b-7c6d5e4f3a2b', UUIDOrderingMatch: '8a3c6e7e-1f2d-4c5b-9a8b-7c6d5e4f3a2b',
  integerBitAndMatch: '1', integerBitOrMatch: '1',
};

/**
 * Attributes slapd's subschema lists that the evaluator's table leaves out on purpose: root DSE
 * and cn=config attributes never appear in a snapshot of entries.
 */
const NOT_IN_TABLE = /^(olc.*|supportedLDAPVersion|entryTtl|namingContexts|altServer|supportedSASLMechanisms|vendorName|vendorVersion|ref|dynamicSubtrees|supportedControl|supportedExtension|supportedFeatures|monitorContext|configContext|supportedAuthPasswordSchemes|authPassword|pKCS8PrivateKey|children|entry|attributeTypes|objectClasses|matchingRules|matchingRuleUse|ldapSyntaxes|dITStructureRules|dITContentRules|nameForms|governingStructureRule|subtreeSpecification|administrativeRole|collectiveAttributeSubentries|collectiveExclusions|aci|contextCSN|syncreplCookie|syncTimestamp|auditContext)$/i;

describe('which extensible rule applies to which attribute', () => {
  it("is slapd's matchingRuleUse for every rule the evaluator implements", async () => {
    const server = await startSlapd({ users: 1, logOps: false, sizeLimitedUser: false });
    const client = new Client({ url: server.url });
    try {
      const { searchEntries } = await client.search('cn=Subschema', { scope: 'base', filter: '(objectClass=*)', attributes: ['matchingRuleUse', 'attributeTypes'] });
      const [schema] = searchEntries;
      const attributeNames = ([] as string[]).concat(schema.attributeTypes as string[]).map((a) => /NAME \(?\s*'([^']+)'/.exec(a)![1]).filter((n) => !NOT_IN_TABLE.test(n));
      expect(attributeNames).toContain('mailPreferenceOption');
      // A rule without a matchingRuleUse value (UUIDMatch) applies to nothing.
      const uses = new Map(([] as string[]).concat(schema.matchingRuleUse as string[]).map((use) => [
        /NAME '([^']+)'/.exec(use)![1],
        new Set(/APPLIES \(?\s*([^)]*)\)?/.exec(use)![1].split('$').map((s) => s.trim().toLowerCase())),
      ]));
      expect(uses.size).toBeGreaterThan(20);
      const differences: string[] = [];
      for (const rule of Object.keys(RULE_VALUES)) {
        const applies = uses.get(rule) ?? new Set<string>();
        for (const attribute of attributeNames) {
          const compiled = compileFilter(`(${attribute}:${rule}:=${RULE_VALUES[rule].replace(/[()*\\]/g, (c) => `\\${c.charCodeAt(0).toString(16)}`)})`, { strictSchema: true });
          if (!compiled.ok) throw new Error(compiled.message);
          // A rule that does not apply makes the item Undefined; one that does is FALSE on an entry without the attribute.
          const ours = compiled.evaluate({ dn: 'cn=nobody', attributes: {} }) !== 'UNDEFINED';
          if (ours !== applies.has(attribute.toLowerCase())) differences.push(`${rule} on ${attribute}: slapd ${applies.has(attribute.toLowerCase()) ? 'applies' : 'does not apply'}`);
        }
      }
      expect(differences).toEqual([]);
    } finally {
      await client.unbind().catch(() => {});
      await server.stop();
    }
  }, 60_000);

  it('where the syntax admits a rule the EQUALITY rule does not name, as on slapd', async () => {
    const phones = await startConformanceRig('syntax', [
      ['de', { c: ['DE'], telephoneNumber: ['+49 30 1234-5678'] }], ['fr', { c: ['fr'], telephoneNumber: ['+33 1 23 45 67 89'] }], ['none', {}],
    ]);
    try {
      expect(await phones.disagreements([
        '(c:caseIgnoreIA5Match:=de)', '(c:caseExactIA5Match:=DE)', '(c:caseExactIA5Match:=de)', '(!(c:caseIgnoreIA5Match:=de))',
        '(telephoneNumber:caseIgnoreMatch:=+49 30 1234-5678)', '(telephoneNumber:caseExactMatch:=+49  30 1234-5678 )', '(telephoneNumber:caseIgnoreOrderingMatch:=+4)',
        '(!(telephoneNumber:caseExactMatch:=+4930 12345678))',
        // Rules slapd's matchingRuleUse leaves out: Undefined, under NOT too.
        '(objectClass:objectIdentifierMatch:=person)', '(!(objectClass:objectIdentifierMatch:=country))', '(!(:objectIdentifierMatch:=person))',
        '(!(objectClass:2.5.13.0:=2.5.6.6))', '(objectClass:=person)', '(!(objectClass:=country))',
        '(!(entryUUID:UUIDMatch:=8a3c6e7e-1f2d-4c5b-9a8b-7c6d5e4f3a2b))', '(!(entryUUID:1.3.6.1.1.16.3:=8a3c6e7e-1f2d-4c5b-9a8b-7c6d5e4f3a2b))',
      ])).toEqual([]);
    } finally {
      await phones.stop();
    }
  }, 120_000);
});
