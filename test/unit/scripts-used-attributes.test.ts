import { describe, expect, it } from 'vitest';
import { DEFAULT_ACTIVE_SCRIPT, type ServerScripts } from '../../src-shared/domain/mapping';
import { usedAttributes } from '../../src-main/scripts/engine';
import { analyzeScript, containsFunction, mainFunctionOffset } from '../../src-main/scripts/used-attributes';

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
      'function(entry) { console.log(entry); return true; }',
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

  it('reads optional chaining, bracketed string literals and templates without substitutions', () => {
    expect(usedAttributes(only('e => e?.mail ?? e?.["sn"] ?? e[`cn`] ?? e?.all?.(`ou`)[0]'))).toEqual({ names: ['mail', 'sn', 'cn', 'ou'], dynamic: false });
  });

  it('reads destructuring of the parameter and of the entry, with defaults and renames', () => {
    expect(usedAttributes(only("({ mail = 'none', sn: surname, 'given-name': g }) => mail + surname + g"))).toEqual({ names: ['mail', 'sn', 'given-name'], dynamic: false });
    expect(usedAttributes(only("({ mail } = {}) => mail"))).toEqual({ names: ['mail'], dynamic: false });
    expect(usedAttributes(only("function(entry) { const { mail, sn: s = '' } = entry; let uid; ({ uid } = entry); return mail + s + uid; }"))).toEqual({
      names: ['mail', 'sn', 'uid'],
      dynamic: false,
    });
    expect(usedAttributes(only("function(entry) { const { ['mail']: m } = entry; return m; }")).names).toEqual(['mail']);
  });

  it('follows aliases of the entry exactly, however many', () => {
    expect(usedAttributes(only('function(entry) { const e = entry; const f = e; return f.mail + e.sn; }'))).toEqual({ names: ['mail', 'sn'], dynamic: false });
    expect(usedAttributes(only('function(entry) { let e; e = entry; return e.mail; }'))).toEqual({ names: ['mail'], dynamic: false });
    expect(usedAttributes(only('(entry = {}) => entry.mail'))).toEqual({ names: ['mail'], dynamic: false });
    // Whatever else an alias may hold, every read through it is fetched.
    expect(usedAttributes(only('e => (e.title ? e : {}).cn + (e || {}).sn + (e.l && e).st'))).toEqual({ names: ['title', 'cn', 'sn', 'l', 'st'], dynamic: false });
  });

  it('counts `in` tests as reads', () => {
    expect(usedAttributes(only("e => 'nsAccountLock' in e && !('mail' in e)"))).toEqual({ names: ['nsAccountLock', 'mail'], dynamic: false });
  });

  it('follows the entry into closures, and not into a helper whose own parameter has the same name', () => {
    expect(usedAttributes(only("function(entry) { const get = (n) => entry.all(n); return [1].map(() => entry.mail).concat(entry.all('ou')); }")).dynamic).toBe(true);
    expect(usedAttributes(only('function(entry) { return [1].map(() => entry.mail)[0]; }'))).toEqual({ names: ['mail'], dynamic: false });
    const text = "function helper(entry) { return entry.notMe; }\n(function(entry) { var x = (function(entry) { return entry.alsoNotMe; })({}); { let entry = {}; entry.norMe; } return entry.mail + x; })";
    expect(usedAttributes(only(text))).toEqual({ names: ['mail'], dynamic: false });
    expect(usedAttributes(only('function main(e) { return e.uid; }\nmain'))).toEqual({ names: ['uid'], dynamic: false });
    expect(usedAttributes(only('function check(e) { return e.uid != null; }'))).toEqual({ names: ['uid'], dynamic: false });
  });

  it('is dynamic for every other use of the entry', () => {
    const dynamic = [
      'e => ({ ...e }).mail',
      'e => [...Object.values(e)].length',
      'e => Object.keys(e).length',
      'e => { for (const k in e) return k; }',
      'e => JSON.stringify(e)',
      'e => e[e.key]',
      "e => e['ma' + 'il']",
      'e => `${e}`',
      'e => { const f = () => e; return f().mail; }',
      'e => { const a = [e]; return a[0].mail; }',
      'e => { const o = { e }; return o.e.mail; }',
      'function(entry) { return arguments[0].mail; }',
      "function(entry) { return eval('entry.mail'); }",
      'function(entry) { with (entry) { return mail; } }',
      'function(entry) { const [first] = entry; return first; }',
      'function(entry) { const { mail, ...rest } = entry; return rest; }',
      '(...args) => args[0].mail',
      'e => e.toString()',
      'e => Reflect.get(e, "mail")',
      'e => e.all(`x${1}`)',
      'e => e.has(...["mail"])',
      'function(entry) { x = entry; return x.mail; }',
      'function(entry) { obj.e = entry; return obj.e.mail; }',
      'e => { throw e; }',
      'syntax error here (',
      '(function() { return e => e.mail; })()',
    ];
    for (const text of dynamic) expect({ text, dynamic: usedAttributes(only(text)).dynamic }).toEqual({ text, dynamic: true });
  });

  it('takes no entry reads from tests, comparisons and returns of the entry itself', () => {
    expect(usedAttributes(only('function(entry) { if (entry === null || typeof entry !== "object" || !entry) return entry; return entry ? entry.mail : null; }'))).toEqual({
      names: ['mail'],
      dynamic: false,
    });
    expect(usedAttributes(only('e => e[0] === undefined && e.then === undefined && e.some_var === undefined'))).toEqual({ names: [], dynamic: false });
  });

  it('finds the function the sandbox runs, in both script forms', () => {
    expect(mainFunctionOffset('  function(entry) { return true; }')).toBe(2);
    expect(mainFunctionOffset('const x = 1;\n(e => e.a)')).toBe(14);
    expect(mainFunctionOffset('function(entry) { return true; }; // done')).toBe(0);
    expect(usedAttributes(only('function(entry) { return entry.mail; }; // trailing comment'))).toEqual({ names: ['mail'], dynamic: false });
    expect(containsFunction('entry.mail == 1')).toBe(false);
    expect(containsFunction('const f = () => 1; f')).toBe(true);
  });
});
