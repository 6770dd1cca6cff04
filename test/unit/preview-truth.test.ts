import { describe, expect, it } from 'vitest';
import { usernameSearchFilter } from '../../src-shared/ldap/username-search';
import { snapshotBaseFit } from '../../src-shared/domain/snapshot-base';
import { stringLiterals } from '../../src-main/preview/name-uses';
import { collapseScriptFailures } from '../../src-main/preview/script-failures';
import type { PreviewRow } from '../../src-shared/domain/preview';

describe('the filter of a username search', () => {
  const filter = '(&(objectClass=person)(uid=?))';
  it('fills the placeholder whole, as a prefix or as any part, keeping the rest byte for byte', () => {
    expect(usernameSearchFilter(filter, 'jsm', 'exact')).toBe('(&(objectClass=person)(uid=jsm))');
    expect(usernameSearchFilter(filter, 'jsm', 'prefix')).toBe('(&(objectClass=person)(uid=jsm*))');
    expect(usernameSearchFilter(filter, 'jsm', 'contains')).toBe('(&(objectClass=person)(uid=*jsm*))');
    expect(usernameSearchFilter(filter, null, 'contains')).toBe('(&(objectClass=person)(uid=*))');
  });
  it('escapes the typed text as RFC 4515 requires, so only the added wildcards are wildcards', () => {
    expect(usernameSearchFilter(filter, 'a*b(c)\\', 'prefix')).toBe('(&(objectClass=person)(uid=a\\2ab\\28c\\29\\5c*))');
  });
  it('finds the placeholder, not another question mark or an escaped NUL in the filter', () => {
    expect(usernameSearchFilter('(&(cn=a?b)(x=\\00)(uid=?))', 'j', 'contains')).toBe('(&(cn=a?b)(x=\\00)(uid=*j*))');
  });
});

describe('whether a snapshot fits a server search base', () => {
  it('fits when one base is at or below the other, ignoring case and spacing', () => {
    expect(snapshotBaseFit('ou=People, dc=example,dc=com', 'OU=people,DC=example,DC=com')).toBe('fits');
    expect(snapshotBaseFit('dc=example,dc=com', 'ou=people,dc=example,dc=com')).toBe('fits');
    expect(snapshotBaseFit('ou=people,dc=example,dc=com', 'dc=example,dc=com')).toBe('fits');
  });
  it('is another tree when neither is below the other, and unknown without a base', () => {
    expect(snapshotBaseFit('ou=people,dc=example,dc=com', 'ou=extras,dc=example,dc=com')).toBe('other');
    expect(snapshotBaseFit('ou=people,dc=a', 'ou=people,dc=b')).toBe('other');
    expect(snapshotBaseFit(null, 'dc=a')).toBe('unknown');
  });
});

describe('string literals of a script', () => {
  it('reads quoted names and skips comments and computed template strings', () => {
    const text = "// 'no'\n/* \"no\" */ e => e.x ? 'Sales' : \"R&D \\\"Lab\\\"\" + `Support` + `${e.o} Team`";
    expect(stringLiterals(text)).toEqual(['Sales', 'R&D "Lab"', 'Support']);
  });
});

describe('a script that fails on every entry', () => {
  const row = (entryIndex: number, errors: PreviewRow['errors']): PreviewRow => ({
    dn: `uid=${entryIndex}`,
    entryIndex,
    username: String(entryIndex),
    email: 'm',
    firstName: null,
    lastName: null,
    active: null,
    org: null,
    roles: [],
    errors,
  });
  const syntax = { code: 'SCRIPT_SYNTAX' as const, script: 'active' as const, message: 'Active script: Syntax error: unexpected token', line: 2, column: 5 };
  it('is said once and taken off the rows, keeping their other problems', () => {
    const rows = [row(0, [syntax, { code: 'MISSING_EMAIL', message: 'No email' }]), row(1, [syntax])];
    expect(collapseScriptFailures(rows, [], 2)).toEqual([{ script: 'active', code: 'SCRIPT_SYNTAX', message: syntax.message, line: 2, column: 5, entries: 2 }]);
    expect(rows.map((r) => r.errors.map((p) => p.code))).toEqual([['MISSING_EMAIL'], []]);
  });
  it('stays on the rows when only some entries fail, or when each fails its own way', () => {
    const some = [row(0, [syntax]), row(1, [])];
    expect(collapseScriptFailures(some, [], 2)).toEqual([]);
    const thrown = [row(0, [{ code: 'SCRIPT_THROWN', script: 'active', message: 'a' }]), row(1, [{ code: 'SCRIPT_THROWN', script: 'active', message: 'b' }])];
    expect(collapseScriptFailures(thrown, [], 2)).toEqual([]);
    expect(thrown.every((r) => r.errors.length === 1)).toBe(true);
  });
});
