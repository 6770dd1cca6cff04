import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerScripts } from '../../src-shared/domain/mapping';
import { ScriptEngine, type EntryInput } from '../../src-main/scripts/engine';

let engine: ScriptEngine;
beforeAll(async () => {
  engine = await ScriptEngine.create();
});
afterAll(() => engine.dispose());

const ALICE: EntryInput = {
  dn: 'uid=alice,ou=people,dc=example,dc=com',
  attributes: {
    uid: ['alice'],
    givenName: ['Alice'],
    mail: ['alice@example.com', 'a.liddell@example.org'],
    memberOf: ['CN=Admins,OU=Groups,DC=example,DC=com', 'cn=staff,ou=groups,dc=example,dc=com'],
    jpegPhoto: ['/9j/4AAQSkZJRgABAQ=='],
    description: [''],
  },
};

/** Runs an Org name script (it may return any string) and gives back what it returned. */
function orgOf(body: string, entry: EntryInput = ALICE): string | null {
  const scripts: ServerScripts = { active: 'function(entry) { return true; }', orgName: body, roleName: null };
  const [outcome] = engine.evaluate(scripts, [entry]).outcomes;
  expect(outcome.errors).toEqual([]);
  return outcome.org;
}

describe('the entry object scripts receive', () => {
  it('gives the first value of an attribute as a string', () => {
    expect(orgOf('function(entry) { return entry.mail; }')).toBe('alice@example.com');
    expect(orgOf('function(entry) { return typeof entry.mail; }')).toBe('string');
  });

  it('reads attribute names case-insensitively, whatever the case the directory used', () => {
    expect(orgOf('function(entry) { return entry.givenname + "/" + entry.givenName + "/" + entry.GIVENNAME; }')).toBe('Alice/Alice/Alice');
    const shouting: EntryInput = { dn: 'uid=bob', attributes: { GIVENNAME: ['Bob'] } };
    expect(orgOf('function(entry) { return entry.givenName; }', shouting)).toBe('Bob');
    expect(orgOf("function(entry) { return entry['givenName']; }", shouting)).toBe('Bob');
  });

  it('gives undefined, never an empty array, for an absent attribute', () => {
    expect(orgOf('function(entry) { return String(entry.telephoneNumber); }')).toBe('undefined');
    expect(orgOf("function(entry) { return entry.telephoneNumber === undefined ? 'absent' : 'present'; }")).toBe('absent');
    const empty: EntryInput = { dn: 'uid=carol', attributes: { telephoneNumber: [] } };
    expect(orgOf("function(entry) { return entry.telephoneNumber === undefined ? 'absent' : 'present'; }", empty)).toBe('absent');
  });

  it('keeps a single empty value apart from an absent attribute', () => {
    expect(orgOf("function(entry) { return entry.description === '' ? 'empty' : 'other'; }")).toBe('empty');
    expect(orgOf("function(entry) { return JSON.stringify(entry.all('description')); }")).toBe('[""]');
  });

  it('gives the distinguished name as entry.dn', () => {
    expect(orgOf('function(entry) { return entry.dn; }')).toBe('uid=alice,ou=people,dc=example,dc=com');
  });

  it('returns every value with entry.all(), and an empty array when absent', () => {
    expect(orgOf("function(entry) { return entry.all('mail').join(' | '); }")).toBe('alice@example.com | a.liddell@example.org');
    expect(orgOf("function(entry) { return entry.all('MAIL').length + ':' + entry.all('fax').length; }")).toBe('2:0');
    expect(orgOf("function(entry) { var a = entry.all('mail'); a.push('x'); return String(entry.all('mail').length); }")).toBe('2');
  });

  it('tests membership with entry.has(), ignoring case in the name and in the value', () => {
    const script = (name: string, value: string) => `function(entry) { return String(entry.has(${JSON.stringify(name)}, ${JSON.stringify(value)})); }`;
    expect(orgOf(script('memberOf', 'cn=admins,ou=groups,dc=example,dc=com'))).toBe('true');
    expect(orgOf(script('MEMBEROF', 'CN=STAFF,OU=GROUPS,DC=EXAMPLE,DC=COM'))).toBe('true');
    expect(orgOf(script('memberOf', 'cn=nobody'))).toBe('false');
    expect(orgOf(script('fax', 'x'))).toBe('false');
    expect(orgOf("function(entry) { return entry.has('mail') + '/' + entry.has('fax'); }")).toBe('true/false');
  });

  it('passes binary values through as the base64 text the host gave', () => {
    expect(orgOf('function(entry) { return entry.jpegPhoto; }')).toBe('/9j/4AAQSkZJRgABAQ==');
  });

  it('carries values holding the wire separators and other control characters intact', () => {
    const odd: EntryInput = { dn: 'uid=odd\u0001x', attributes: { description: ['a\u0001b', 'c\u0002d\u0000e'] } };
    expect(orgOf("function(entry) { return JSON.stringify([entry.dn, entry.all('description')]); }", odd)).toBe(JSON.stringify(['uid=odd\u0001x', ['a\u0001b', 'c\u0002d\u0000e']]));
  });

  it('works the same when the attribute set is dynamic (entry[x], Object.keys)', () => {
    const keys = orgOf('function(entry) { return Object.keys(entry).join(","); }');
    expect(keys).toBe('dn,uid,givenName,mail,memberOf,jpegPhoto,description');
    expect(orgOf("function(entry) { var k = 'GIVENname'; return entry[k] + '/' + ('MAIL' in entry) + '/' + entry.all(k).length; }")).toBe('Alice/true/1');
    expect(orgOf("function(entry) { var k = 'fax'; return String(entry[k]) + '/' + entry.has('memberof', 'CN=admins,ou=groups,dc=example,dc=com'); }")).toBe('undefined/true');
  });

  it('accepts an arrow function and destructuring of the entry', () => {
    expect(orgOf('entry => entry.uid')).toBe('alice');
    expect(orgOf('({ uid, givenName }) => uid + " " + givenName')).toBe('alice Alice');
  });

  it('evaluates entries in order, one outcome per entry', () => {
    const entries = Array.from({ length: 2500 }, (_, i) => ({ dn: `uid=u${i}`, attributes: { uid: [`u${i}`], employeeType: [i % 3 === 0 ? 'admin' : 'staff'] } }));
    const scripts: ServerScripts = {
      active: 'entry => entry.uid !== "u7"',
      orgName: 'entry => "Org " + entry.uid',
      roleName: "entry => entry.has('employeeType', 'ADMIN') ? ['Admin', ' Desktop User ', 'Admin'] : 'Desktop User'",
    };
    const { outcomes, costs } = engine.evaluate(scripts, entries);
    expect(outcomes).toHaveLength(2500);
    expect(outcomes[7].active).toBe(false);
    expect(outcomes[8].active).toBe(true);
    expect(outcomes[2499].org).toBe('Org u2499');
    expect(outcomes[0].roles).toEqual(['Admin', 'Desktop User']);
    expect(outcomes[1].roles).toEqual(['Desktop User']);
    expect(costs.active).toBeGreaterThan(0);
    expect(costs.roleName).toBeGreaterThan(0);
  });

  it('trims names and treats empty ones as none', () => {
    const scripts: ServerScripts = { active: 'e => true', orgName: 'e => "  Org A  "', roleName: 'e => ["  ", " R1 "]' };
    const [o] = engine.evaluate(scripts, [ALICE]).outcomes;
    expect(o).toMatchObject({ org: 'Org A', roles: ['R1'], errors: [] });
    const none = engine.evaluate({ active: 'e => true', orgName: 'e => "   "', roleName: 'e => null' }, [ALICE]).outcomes[0];
    expect(none).toMatchObject({ active: true, org: null, roles: [], errors: [] });
  });

  it('reports costs only for the scripts present', () => {
    const { costs } = engine.evaluate({ active: 'e => true', orgName: null, roleName: '   ' }, [ALICE]);
    expect(costs.orgName).toBeNull();
    expect(costs.roleName).toBeNull();
    expect(typeof costs.active).toBe('number');
  });
});
