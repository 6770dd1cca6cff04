import { describe, expect, it } from 'vitest';
import { DEFAULT_ACTIVE_SCRIPT, type ServerScripts } from '../../src-shared/domain/mapping';
import { usedAttributes } from '../../src-main/scripts/engine';
import { analyzeScript } from '../../src-main/scripts/used-attributes';

const only = (active: string, orgName: string | null = null, roleName: string | null = null): ServerScripts => ({ active, orgName, roleName });

describe('which attributes the scripts use', () => {
  it('finds dotted, bracketed, all() and has() uses', () => {
    const result = usedAttributes(
      only(
        "function(entry) { return entry.employeeType != 'terminated' && entry['accountStatus'] !== 'locked'; }",
        "function(entry) { return entry.all('ou')[0] || null; }",
        'function(entry) { return entry.has("memberOf", "cn=admins") ? "Admin" : entry.title; }',
      ),
    );
    expect(result).toEqual({ names: ['employeeType', 'accountStatus', 'ou', 'memberOf', 'title'], dynamic: false });
  });

  it('never counts dn, all or has as attributes', () => {
    expect(usedAttributes(only("function(entry) { return entry.dn.indexOf('ou=staff') > 0 && entry.has('x') && entry.all('y').length > 0; }"))).toEqual({
      names: ['x', 'y'],
      dynamic: false,
    });
  });

  it('merges names that differ only in case, keeping the first spelling', () => {
    expect(usedAttributes(only('e => e.givenName + e.givenname', "e => e.GIVENNAME + e.all('GivenName')")).names).toEqual(['givenName']);
  });

  it('follows the parameter name, whatever it is', () => {
    expect(usedAttributes(only('function(user) { return user.mail != null; }')).names).toEqual(['mail']);
    expect(usedAttributes(only('u => u.uid')).names).toEqual(['uid']);
    expect(usedAttributes(only('async (x) => x.cn')).names).toEqual(['cn']);
  });

  it('ignores words in strings, comments, templates and regular expressions', () => {
    const text = "function(entry) {\n  // entry.fake1\n  /* entry.fake2 */\n  var s = 'entry.fake3' + `entry.fake4 ${entry.real1}`;\n  return /entry.fake5/.test(entry.real2);\n}";
    expect(usedAttributes(only(text))).toEqual({ names: ['real1', 'real2'], dynamic: false });
  });

  it('uses destructured parameter names', () => {
    expect(usedAttributes(only("({ mail, uid: id, employeeType = 'x' }) => mail + id"))).toEqual({ names: ['mail', 'uid', 'employeeType'], dynamic: false });
    expect(usedAttributes(only('({ mail, ...rest }) => mail')).dynamic).toBe(true);
  });

  it('finds the function after helper functions', () => {
    const text = "function isAdmin(e) { return e.memberOf == 'admins'; }\nvar prefix = 'Org ';\n(function(entry) { return entry.l != null; })";
    // The helper's own parameter is not the entry; only the last function's parameter is followed.
    expect(usedAttributes(only(text))).toEqual({ names: ['l'], dynamic: false });
    expect(usedAttributes(only('const f = x => x.a;\nentry => entry.b')).names).toEqual(['b']);
  });

  it('is dynamic when the set cannot be known', () => {
    const dynamic = [
      'function(entry) { var k = "mail"; return entry[k] != null; }',
      'function(entry) { return Object.keys(entry).length > 3; }',
      'function(entry) { var n = "mail"; return entry.all(n).length > 0; }',
      "function(entry) { return entry.has(name(), 'x'); }",
      'function(entry) { return check(entry); }',
      'function(entry) { for (var k in entry) { return true; } return false; }',
      'function(entry) { return JSON.stringify(entry).length > 2; }',
      'function(entry) { var f = entry.all; return f("x").length > 0; }',
      "function(entry) { return entry.hasOwnProperty('mail'); }",
      'function(entry) { var e = entry; return e.mail != null; }',
      'function(entry) { console.log(entry); return true; }',
      "function(entry) { return 'mail' in entry; }",
    ];
    for (const text of dynamic) expect({ text, dynamic: usedAttributes(only(text)).dynamic }).toEqual({ text, dynamic: true });
  });

  it('stays exact for tests of the entry itself', () => {
    expect(usedAttributes(only('function(entry) { if (!entry) return false; return entry && entry.mail ? true : false; }'))).toEqual({ names: ['mail'], dynamic: false });
  });

  it('needs nothing for the default Active script and skips absent scripts', () => {
    expect(usedAttributes(only(DEFAULT_ACTIVE_SCRIPT, null, '  '))).toEqual({ names: [], dynamic: false });
  });

  it('keeps attribute names with options and OIDs, and ignores names that cannot be attributes', () => {
    expect(usedAttributes(only("e => e['userCertificate;binary'] || e['2.5.4.3'] || e.some_var")).names).toEqual(['userCertificate;binary', '2.5.4.3']);
  });

  it('records the spellings to set as properties and the names looked up through calls', () => {
    const use = analyzeScript("e => e.givenName + e.givenname + e.has('memberOf', 'x')");
    expect([...use.spellings.get('givenname')!]).toEqual(['givenName', 'givenname']);
    expect([...use.spellings.get('memberof')!]).toEqual([]);
    expect([...use.calls]).toEqual(['memberOf']);
  });
});
