import type { Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { buildRows, scriptProblem, TIME_LIMIT_HINT, usernamesOfPages } from '../../src-main/preview/build-rows';
import { isBinaryAttribute } from '../../src-main/directory/binary-attributes';
import { valuesByName } from '../../src-main/directory/entry';
import { toEntryInput, toRawEntry } from '../../src-main/preview/entry-values';
import { sortedNames } from '../../src-main/directory/attribute-names';
import { isWithinBase } from '../../src-main/preview/ldap-lookups';
import { PageCache } from '../../src-main/preview/page-cache';
import { defaultMapping } from '../../src-shared/domain/mapping-defaults';

const ok = (over: Partial<{ active: boolean | null; org: string | null; roles: string[] }> = {}) => ({ active: true, org: null, roles: [], errors: [], logs: [], ...over });
const ctx = { usernameAttribute: 'uid', mapping: defaultMapping(), organizations: new Set(['sales']), roles: new Set(['desktop user']) };
const entry = (dn: string, attributes: Record<string, string[]>) => ({ dn, attributes });

describe('entries from ldapts', () => {
  it('drop requested-but-absent attributes, merge names that differ in case, and keep text as text', () => {
    const e = toEntryInput({ dn: 'uid=a,dc=x', uid: 'a', mail: ['a@x', 'b@x'], MAIL: 'c@x', nosuch: [], givenName: 'Ann' } as unknown as Entry);
    expect(e).toEqual({ dn: 'uid=a,dc=x', attributes: { uid: ['a'], mail: ['a@x', 'b@x', 'c@x'], givenName: ['Ann'] } });
  });

  it('turn Buffers and known binary attributes into base64, even when the bytes happen to be UTF-8', () => {
    const e = toEntryInput({ dn: 'cn=b', jpegPhoto: Buffer.from([0xff, 0xd8]), objectguid: 'GIF', 'userCertificate;binary': [Buffer.from([1, 2])] } as unknown as Entry);
    expect(e.attributes).toEqual({ jpegPhoto: ['/9g='], objectguid: ['R0lG'], 'userCertificate;binary': ['AQI='] });
    expect(isBinaryAttribute('thumbnailPhoto')).toBe(true);
    expect(isBinaryAttribute('mail')).toBe(false);
    expect(isBinaryAttribute('cn;binary')).toBe(true);
  });

  it('show raw values as text, or as size plus base64', () => {
    const raw = toRawEntry({ dn: 'cn=b', cn: 'b', jpegPhoto: Buffer.from([1, 2, 3]), '*': [], '+': [] } as unknown as Entry);
    expect(raw.attributes).toEqual([
      { name: 'cn', values: [{ kind: 'text', text: 'b' }] },
      { name: 'jpegPhoto', values: [{ kind: 'binary', size: 3, base64: 'AQID' }] },
    ]);
  });

  it('are read by name ignoring case', () => {
    expect(valuesByName(entry('x', { givenName: ['A'] }), 'GIVENNAME')).toEqual(['A']);
    expect(valuesByName(entry('x', {}), 'mail')).toEqual([]);
    expect(sortedNames(['sn', 'Mail', 'mail', 'cn'])).toEqual(['cn', 'Mail', 'sn']);
  });
});

describe('preview rows', () => {
  it('give one user per username value, and flag a missing username or email on the row', () => {
    const rows = buildRows(
      [entry('uid=a', { uid: ['a', 'a2'], mail: ['a@x'], givenName: ['Ann'], sn: ['Lee'] }), entry('cn=b', { mail: ['b@x'] }), entry('uid=c', { uid: ['c'] })],
      [ok(), ok(), ok({ active: false })],
      ctx,
    );
    expect(rows.map((r) => [r.username, r.entryIndex, r.email, r.errors.map((e) => e.code)])).toEqual([
      ['a', 0, 'a@x', []],
      ['a2', 0, 'a@x', []],
      [null, 1, 'b@x', ['MISSING_USERNAME']],
      ['c', 2, null, ['MISSING_EMAIL']],
    ]);
    expect(rows[0]).toMatchObject({ firstName: 'Ann', lastName: 'Lee' });
  });

  it('flag usernames that occur twice on the page, ignoring case, or on another cached page', () => {
    const other = usernamesOfPages([{ page: 2, entries: [entry('uid=z', { uid: ['Zed'] })] }], 'uid', 1);
    const rows = buildRows(
      [entry('uid=a', { uid: ['a'], mail: ['m'] }), entry('uid=A', { uid: ['A'], mail: ['m'] }), entry('uid=zed', { uid: ['zed'], mail: ['m'] })],
      [ok(), ok(), ok()],
      { ...ctx, otherPages: other },
    );
    expect(rows.map((r) => r.errors.map((e) => e.message))).toEqual([
      ['The username "a" occurs 2 times on this page'],
      ['The username "A" occurs 2 times on this page'],
      ['The username "zed" also occurs on page 2'],
    ]);
  });

  it('keep unknown organizations and roles as returned and flag them, and name the script of a script error', () => {
    const rows = buildRows(
      [entry('uid=a', { uid: ['a'], mail: ['m'] })],
      [{ ...ok({ org: 'Nowhere', roles: ['Desktop User', 'Boss'] }), errors: [{ script: 'active' as const, code: 'SCRIPT_THROWN' as const, message: 'boom', line: 2, column: 3 }] }],
      ctx,
    );
    expect(rows[0]).toMatchObject({ org: 'Nowhere', roles: ['Desktop User', 'Boss'] });
    expect(rows[0].errors).toEqual([
      { code: 'SCRIPT_THROWN', message: 'Active script: boom', script: 'active', line: 2, column: 3 },
      { code: 'UNKNOWN_ORG', severity: 'warning', name: 'Nowhere', message: 'No organization is named "Nowhere" yet: create it, or a sync cannot place this user', script: 'orgName' },
      { code: 'UNKNOWN_ROLE', severity: 'warning', name: 'Boss', message: 'No role is named "Boss" yet: create it, or a sync cannot give this role', script: 'roleName' },
    ]);
    expect(scriptProblem({ script: 'orgName', code: 'SCRIPT_THROWN', message: 'The Org name script threw' }).message).toBe('The Org name script threw');
  });

  it('point a time-limit error at the setting that raises the limit', () => {
    const text = `The Org name script ran longer than its 250 ms time limit and was stopped; look for a loop that never ends, or ${TIME_LIMIT_HINT}.`;
    const message = scriptProblem({ script: 'orgName', code: 'SCRIPT_TIMEOUT', message: text }).message;
    expect(message).toBe(`The Org name script ran longer than its 250 ms time limit and was stopped; look for a loop that never ends, or ${TIME_LIMIT_HINT}.`);
    expect(message).toContain('LDAP_SYNC_SCRIPT_TIME_MS');
  });
});

describe('preview helpers', () => {
  it('tell whether a DN is at or below the search base, RDN by RDN', () => {
    expect(isWithinBase('uid=a,ou=People,dc=example,dc=com', 'ou=people,dc=example,dc=com')).toBe(true);
    expect(isWithinBase('ou=people,dc=example,dc=com', 'ou=people,dc=example,dc=com')).toBe(true);
    expect(isWithinBase('cn=sync,ou=service,dc=example,dc=com', 'ou=people,dc=example,dc=com')).toBe(false);
    expect(isWithinBase('cn=x\\,ou=people,dc=example,dc=com', 'ou=people,dc=example,dc=com')).toBe(false);
    expect(isWithinBase('not a dn', 'dc=com')).toBe(false);
  });

  it('keep a bounded number of pages, dropping the least recently used', () => {
    const cache = new PageCache(3, 100);
    for (const p of [1, 2, 3]) cache.set(p, [entry(`p${p}`, {})]);
    cache.get(1);
    cache.set(4, [entry('p4', {})]);
    expect(cache.all().map((p) => p.page)).toEqual([1, 3, 4]);
    const small = new PageCache(10, 3);
    small.set(1, [entry('a', {}), entry('b', {})]);
    small.set(2, [entry('c', {}), entry('d', {})]);
    expect(small.all().map((p) => p.page)).toEqual([2]);
  });
});
