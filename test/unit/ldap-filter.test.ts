import { describe, expect, it } from 'vitest';
import {
  analyzeSearchFilter,
  escapeFilterValue,
  fillUsername,
  formatFilter,
  matchAllFilter,
  parseFilter,
  type FilterNode,
} from '../../src-shared/ldap/filter';

function nodeOf(text: string): FilterNode {
  const result = parseFilter(text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${result.message}`);
  return result.filter;
}

function failureOf(text: string): { message: string; position: number } {
  const result = parseFilter(text);
  if (result.ok) throw new Error(`expected ${text} to be refused`);
  return { message: result.message, position: result.position };
}

const RFC_EXAMPLES = [
  '(cn=Babs Jensen)',
  '(!(cn=Tim Howes))',
  '(&(objectClass=Person)(|(sn=Jensen)(cn=Babs J*)))',
  '(o=univ*of*mich*)',
  '(seeAlso=)',
  '(cn:caseExactMatch:=Fred Flintstone)',
  '(cn:=Betty Rubble)',
  '(sn:dn:2.4.6.8.10:=Barney Rubble)',
  '(o:dn:=Ace Industry)',
  '(:1.2.3:=Wilma Flintstone)',
  '(:DN:2.4.6.8.10:=Dino)',
  '(o=Parens R Us \\28for all your parenthetical needs\\29)',
  '(cn=*\\2A*)',
  '(filename=C:\\5cMyFile)',
  '(bin=\\00\\00\\00\\04)',
  '(sn=Lu\\c4\\8di\\c4\\87)',
  '(1.3.6.1.4.1.1466.0=\\04\\02\\48\\69)',
];

describe('parseFilter with the RFC 4515 section 4 examples', () => {
  it.each(RFC_EXAMPLES)('accepts %s', (text) => {
    expect(parseFilter(text).ok).toBe(true);
  });

  it('builds and/or/not trees', () => {
    expect(nodeOf('(&(objectClass=Person)(|(sn=Jensen)(cn=Babs J*)))')).toEqual({
      kind: 'and',
      filters: [
        { kind: 'equality', attribute: 'objectClass', value: 'Person' },
        {
          kind: 'or',
          filters: [
            { kind: 'equality', attribute: 'sn', value: 'Jensen' },
            { kind: 'substrings', attribute: 'cn', initial: 'Babs J', any: [], final: null },
          ],
        },
      ],
    });
    expect(nodeOf('(!(cn=Tim Howes))')).toEqual({ kind: 'not', filter: { kind: 'equality', attribute: 'cn', value: 'Tim Howes' } });
  });

  it('splits substrings into initial, any and final parts', () => {
    expect(nodeOf('(o=univ*of*mich*)')).toEqual({ kind: 'substrings', attribute: 'o', initial: 'univ', any: ['of', 'mich'], final: null });
    expect(nodeOf('(cn=*\\2A*)')).toEqual({ kind: 'substrings', attribute: 'cn', initial: null, any: ['*'], final: null });
    expect(nodeOf('(cn=*son)')).toEqual({ kind: 'substrings', attribute: 'cn', initial: null, any: [], final: 'son' });
  });

  it('reads an empty value as equality and a lone "*" as presence', () => {
    expect(nodeOf('(seeAlso=)')).toEqual({ kind: 'equality', attribute: 'seeAlso', value: '' });
    expect(nodeOf('(objectClass=*)')).toEqual({ kind: 'present', attribute: 'objectClass' });
  });

  it('parses extensible matches with and without attribute, dn flag and rule', () => {
    expect(nodeOf('(cn:caseExactMatch:=Fred Flintstone)')).toEqual({ kind: 'extensible', attribute: 'cn', dnAttributes: false, matchingRule: 'caseExactMatch', value: 'Fred Flintstone' });
    expect(nodeOf('(cn:=Betty Rubble)')).toEqual({ kind: 'extensible', attribute: 'cn', dnAttributes: false, matchingRule: null, value: 'Betty Rubble' });
    expect(nodeOf('(sn:dn:2.4.6.8.10:=Barney Rubble)')).toMatchObject({ attribute: 'sn', dnAttributes: true, matchingRule: '2.4.6.8.10' });
    expect(nodeOf('(o:dn:=Ace Industry)')).toMatchObject({ attribute: 'o', dnAttributes: true, matchingRule: null });
    expect(nodeOf('(:1.2.3:=Wilma Flintstone)')).toMatchObject({ attribute: null, dnAttributes: false, matchingRule: '1.2.3' });
    expect(nodeOf('(:DN:2.4.6.8.10:=Dino)')).toMatchObject({ attribute: null, dnAttributes: true, matchingRule: '2.4.6.8.10', value: 'Dino' });
  });

  it('decodes \\XX escapes, including UTF-8 sequences and binary bytes', () => {
    expect(nodeOf('(o=Parens R Us \\28for all your parenthetical needs\\29)')).toMatchObject({ value: 'Parens R Us (for all your parenthetical needs)' });
    expect(nodeOf('(filename=C:\\5cMyFile)')).toMatchObject({ value: 'C:\\MyFile' });
    expect(nodeOf('(bin=\\00\\00\\00\\04)')).toMatchObject({ value: '\0\0\0\x04' });
    expect(nodeOf('(sn=Lu\\c4\\8di\\c4\\87)')).toMatchObject({ value: 'Lučić' });
    expect(nodeOf('(1.3.6.1.4.1.1466.0=\\04\\02\\48\\69)')).toMatchObject({ attribute: '1.3.6.1.4.1.1466.0', value: '\x04\x02Hi' });
  });

  it('parses the other comparison operators and attribute options', () => {
    expect(nodeOf('(age>=18)')).toEqual({ kind: 'greaterOrEqual', attribute: 'age', value: '18' });
    expect(nodeOf('(age<=65)')).toEqual({ kind: 'lessOrEqual', attribute: 'age', value: '65' });
    expect(nodeOf('(sn~=Jensen)')).toEqual({ kind: 'approx', attribute: 'sn', value: 'Jensen' });
    expect(nodeOf('(cn;lang-en=Fred)')).toMatchObject({ attribute: 'cn;lang-en' });
  });
});

describe('parseFilter refusing invalid filters with positions', () => {
  it('requires outer parentheses', () => {
    expect(failureOf('uid=?')).toEqual({ message: 'A filter must be enclosed in parentheses, e.g. (uid=?)', position: 0 });
    expect(failureOf('').message).toContain('The filter is empty');
  });

  it('reports a missing ")" at the end of the text', () => {
    expect(failureOf('(&(objectClass=inetOrgPerson)(uid=?)')).toEqual({ message: 'Unbalanced parenthesis: missing ")" at position 36', position: 36 });
    expect(failureOf('(cn=a').position).toBe(5);
  });

  it('reports an extra ")" or a second filter after the end', () => {
    expect(failureOf('(cn=a))')).toMatchObject({ position: 6, message: expect.stringContaining('extra ")"') });
    expect(failureOf('(a=b)(c=d)')).toMatchObject({ position: 5, message: expect.stringContaining('(&...) or (|...)') });
  });

  it('names the escape to write for an unescaped "(" in a value', () => {
    expect(failureOf('(cn=Parens R (Us))')).toEqual({ message: 'Unescaped "(" in value at position 13: write \\28', position: 13 });
  });

  it('refuses invalid escapes and suggests the hex form', () => {
    expect(failureOf('(cn=a\\*)')).toMatchObject({ position: 5, message: expect.stringContaining('write \\2a for a literal "*"') });
    expect(failureOf('(cn=a\\zz)')).toMatchObject({ position: 5, message: expect.stringContaining('Invalid escape "\\z"') });
    expect(failureOf('(cn=a\\)').message).toContain('Lone "\\"');
  });

  it('refuses wildcards outside "="', () => {
    expect(failureOf('(cn~=a*)')).toMatchObject({ position: 6, message: expect.stringContaining('wildcards only work with "="') });
    expect(failureOf('(cn:=a*)').position).toBe(6);
  });

  it('refuses empty composites, empty filters and spaces between parts', () => {
    expect(failureOf('(&)')).toMatchObject({ position: 2, message: expect.stringContaining('needs at least one filter') });
    expect(failureOf('()')).toMatchObject({ position: 1, message: expect.stringContaining('Empty filter') });
    expect(failureOf('(& (cn=a))')).toMatchObject({ position: 2, message: expect.stringContaining('Unexpected " " inside (&...)') });
    expect(failureOf(' (cn=a)').position).toBe(0);
    expect(failureOf('(cn=a) ').position).toBe(6);
  });

  it('refuses a negation holding two filters', () => {
    expect(failureOf('(!(a=b)(c=d))')).toMatchObject({ position: 7, message: expect.stringContaining('exactly one filter') });
  });

  it('refuses bad attribute names and operators', () => {
    expect(failureOf('(=x)')).toMatchObject({ position: 1, message: expect.stringContaining('Missing attribute name') });
    expect(failureOf('(cn)').message).toContain('Expected an operator');
    expect(failureOf('(cn>5)')).toMatchObject({ position: 3, message: expect.stringContaining('write >=') });
    expect(failureOf('(c n=x)').position).toBe(2);
    expect(failureOf('(2.05=x)').message).toContain('Invalid attribute name "2.05"');
    expect(failureOf('(cn=**)')).toMatchObject({ position: 5, message: expect.stringContaining('Two "*" in a row') });
  });

  it('refuses malformed extensible matches', () => {
    expect(failureOf('(:dn:=x)').message).toContain('needs a matching rule');
    expect(failureOf('(cn:rule:extra:=x)').position).toBe(8);
    expect(failureOf('(cn::=x)').position).toBe(4);
  });

  it('maps positions through positionOf', () => {
    expect(parseFilter('(cn=a', (i) => i + 100)).toMatchObject({ position: 105, message: expect.stringContaining('at position 105') });
  });
});

describe('formatFilter', () => {
  it.each(RFC_EXAMPLES)('round-trips %s through parse and format', (text) => {
    const node = nodeOf(text);
    expect(nodeOf(formatFilter(node))).toEqual(node);
  });

  it('writes canonical text', () => {
    expect(formatFilter(nodeOf('(cn=*\\2A*)'))).toBe('(cn=*\\2a*)');
    expect(formatFilter(nodeOf('(sn=Lu\\c4\\8di\\c4\\87)'))).toBe('(sn=Lučić)');
    expect(formatFilter(nodeOf('(:DN:2.4.6.8.10:=Dino)'))).toBe('(:dn:2.4.6.8.10:=Dino)');
    expect(formatFilter(nodeOf('(1.3.6.1.4.1.1466.0=\\04\\02\\48\\69)'))).toBe('(1.3.6.1.4.1.1466.0=\\04\\02Hi)');
    for (const text of ['(&(objectClass=Person)(|(sn=Jensen)(cn=Babs J*)))', '(o=univ*of*mich*)', '(bin=\\00\\00\\00\\04)', '(seeAlso=)']) {
      expect(formatFilter(nodeOf(text))).toBe(text);
    }
  });

  it('keeps bytes that are not UTF-8 exactly', () => {
    expect(formatFilter(nodeOf('(objectGUID=\\a1\\b2\\c3\\ff)'))).toBe('(objectGUID=\\a1\\b2\\c3\\ff)');
  });
});

describe('escapeFilterValue', () => {
  it('escapes the RFC 4515 specials in lower-case hex', () => {
    expect(escapeFilterValue('*()\\\0')).toBe('\\2a\\28\\29\\5c\\00');
  });

  it('leaves non-ASCII and ordinary characters alone', () => {
    expect(escapeFilterValue('Lučić ?=&|!')).toBe('Lučić ?=&|!');
  });
});

describe('analyzeSearchFilter and the (attr=?) placeholder', () => {
  it('finds the username attribute', () => {
    const result = analyzeSearchFilter('(&(objectClass=inetOrgPerson)(uid=?))');
    expect(result).toMatchObject({ ok: true, usernameAttribute: 'uid', placeholderPosition: 34 });
  });

  it('refuses a filter without a placeholder', () => {
    expect(analyzeSearchFilter('(objectClass=person)')).toEqual({
      ok: false,
      message: 'The search filter needs one (attr=?) assertion: ? stands for the username, e.g. (&(objectClass=inetOrgPerson)(uid=?))',
      position: 0,
    });
  });

  it('treats a "?" inside a longer, escaped or non-equality value as a plain character', () => {
    for (const text of ['(cn=a?b)', '(uid=\\3f)', '(uid~=?)', '(uid=?*)', '(uid:caseExactMatch:=?)']) {
      expect(analyzeSearchFilter(text).ok).toBe(false);
    }
    expect(analyzeSearchFilter('(&(cn=a?b)(uid=?))')).toMatchObject({ ok: true, usernameAttribute: 'uid' });
  });

  it('refuses two placeholders and points at the second', () => {
    const result = analyzeSearchFilter('(|(uid=?)(mail=?))');
    expect(result).toEqual({ ok: false, message: 'The search filter holds 2 (attr=?) assertions; keep exactly one (the second is at position 9)', position: 9 });
  });

  it('refuses a placeholder under a negation', () => {
    const result = analyzeSearchFilter('(&(objectClass=person)(!(uid=?)))');
    expect(result).toMatchObject({ ok: false, position: 24, message: expect.stringContaining('sits inside (!...)') });
  });

  it('passes syntax errors through', () => {
    expect(analyzeSearchFilter('(uid=?')).toMatchObject({ ok: false, position: 6 });
  });
});

describe('fillUsername and matchAllFilter', () => {
  it('escapes an injection attempt in the username', () => {
    expect(fillUsername('(&(objectClass=inetOrgPerson)(uid=?))', '*)(uid=*')).toBe('(&(objectClass=inetOrgPerson)(uid=\\2a\\29\\28uid=\\2a))');
  });

  it('keeps the rest of the filter byte for byte', () => {
    const text = '(&(cn=a?b)(o=Lu\\C4\\8Di\\c4\\87)(mail=?))';
    expect(fillUsername(text, 'Lučić')).toBe('(&(cn=a?b)(o=Lu\\C4\\8Di\\c4\\87)(mail=Lučić))');
    expect(matchAllFilter(text)).toBe('(&(cn=a?b)(o=Lu\\C4\\8Di\\c4\\87)(mail=*))');
  });

  it('turns the placeholder into a presence test', () => {
    expect(matchAllFilter('(&(objectClass=inetOrgPerson)(uid=?))')).toBe('(&(objectClass=inetOrgPerson)(uid=*))');
  });

  it('throws the analysis message when the filter breaks the rule', () => {
    expect(() => fillUsername('(cn=x)', 'u')).toThrow('needs one (attr=?) assertion');
    expect(() => matchAllFilter('(uid=?')).toThrow('missing ")"');
  });
});
