import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerScripts } from '../../src-shared/domain/mapping';
import { dnKey, GroupClosure } from '../../src-main/groups/group-closure';
import { ScriptEngine, type EntryInput } from '../../src-main/scripts/engine';
import { scriptPlan } from '../../src-main/scripts/wire';
import { usesGroups } from '../../src-main/scripts/used-attributes';

let engine: ScriptEngine;
beforeAll(async () => {
  engine = await ScriptEngine.create();
});
afterAll(() => engine.dispose());

const BASE = 'dc=example,dc=com';
const ALICE = `uid=alice,ou=people,${BASE}`;
const BOB = `uid=bob,ou=people,${BASE}`;

/** inner ⊂ middle ⊂ outer, alice in inner; loop-a ⊂ loop-b ⊂ loop-a, bob in loop-a. */
function sampleGroups(): GroupClosure {
  const c = new GroupClosure();
  c.add(`cn=inner,ou=groups,${BASE}`, [ALICE]);
  c.add(`cn=middle,ou=groups,${BASE}`, [`CN=Inner, OU=Groups, DC=Example, DC=Com`]);
  c.add(`cn=outer,ou=groups,${BASE}`, [`cn=middle,ou=groups,${BASE}`, `cn=nobody,${BASE}`]);
  c.add(`cn=loop-a,ou=groups,${BASE}`, [BOB, `cn=loop-b,ou=groups,${BASE}`]);
  c.add(`cn=loop-b,ou=groups,${BASE}`, [`cn=loop-a,ou=groups,${BASE}`]);
  // groupOfUniqueNames may carry an optional UID after the DN.
  c.add(`cn=unique,ou=groups,${BASE}`, [`${ALICE}#'0101'B`]);
  return c;
}

describe('the group closure', () => {
  it('lists the groups an entry is in directly and through nested groups, nearest first', () => {
    expect(sampleGroups().of(ALICE)).toEqual([`cn=inner,ou=groups,${BASE}`, `cn=unique,ou=groups,${BASE}`, `cn=middle,ou=groups,${BASE}`, `cn=outer,ou=groups,${BASE}`]);
  });

  it('compares DNs ignoring case, spacing and escaping', () => {
    const c = sampleGroups();
    expect(c.of('UID=Alice, OU=People, DC=Example, DC=Com')).toHaveLength(4);
    expect(dnKey('cn=J\\2C Smith,dc=x')).toBe(dnKey('CN = j\\, smith , DC=X'));
    expect(dnKey('cn=a+sn=b,dc=x')).toBe(dnKey('sn=B+cn=A,dc=x'));
    expect(dnKey('not a dn')).toBeNull();
  });

  it('ends in a cycle of groups, and never lists a group as its own member', () => {
    const c = sampleGroups();
    expect(c.of(BOB)).toEqual([`cn=loop-a,ou=groups,${BASE}`, `cn=loop-b,ou=groups,${BASE}`]);
    expect(c.of(`cn=loop-a,ou=groups,${BASE}`)).toEqual([`cn=loop-b,ou=groups,${BASE}`]);
  });

  it('gives an entry in no group no groups', () => {
    expect(sampleGroups().of(`uid=carol,ou=people,${BASE}`)).toEqual([]);
  });
});

/** Runs a Role name script over entries with the sample groups loaded; the roles of each entry, or its error. */
function roles(body: string, entries: EntryInput[], groups: GroupClosure | null = sampleGroups()): Array<string[] | string> {
  const scripts: ServerScripts = { active: 'e => true', orgName: null, roleName: body };
  const result = engine.evaluate(scripts, entries, { groups: groups ? (dn) => groups.of(dn) : undefined });
  return result.outcomes.map((o) => (o.errors.length ? o.errors[0].message : o.roles));
}

const entry = (dn: string, attributes: Record<string, string[]> = {}): EntryInput => ({ dn, attributes });

describe('the groups helpers in the sandbox', () => {
  it('answer nested membership by DN or by name', () => {
    const script = `function(entry) {
      const out = [];
      if (groups.isMember(entry, 'CN=Outer,OU=Groups,DC=example,DC=com')) out.push('by-dn');
      if (groups.isMember(entry, 'outer')) out.push('by-name');
      if (groups.isMember(entry, 'cn=loop-b, ou=groups, dc=example, dc=com')) out.push('loop');
      return out;
    }`;
    expect(roles(script, [entry(ALICE), entry(BOB), entry('uid=carol,dc=example,dc=com')])).toEqual([['by-dn', 'by-name'], ['loop'], []]);
  });

  it('list the groups as DNs and as names', () => {
    expect(roles('e => groups.of(e)', [entry(BOB)])).toEqual([[`cn=loop-a,ou=groups,${BASE}`, `cn=loop-b,ou=groups,${BASE}`]]);
    expect(roles('e => groups.names(e)', [entry(ALICE)])).toEqual([['inner', 'unique', 'middle', 'outer']]);
  });

  it('say that memberships are not loaded where the run has none (script checks)', () => {
    expect(roles('e => groups.isMember(e, "outer") ? "x" : null', [entry(ALICE)], null)).toEqual([expect.stringMatching(/groups\.isMember: group memberships are not loaded here/)]);
  });

  it('refuse what is not the entry, and a group argument that is no DN nor name', () => {
    expect(roles('e => groups.of(e.dn)', [entry(ALICE)])).toEqual([expect.stringMatching(/groups\.of expects the entry the script received, got a string/)]);
    expect(roles('e => groups.isMember(e, "cn=a,,dc=b") ? "x" : null', [entry(ALICE)])).toEqual([expect.stringMatching(/is not a valid DN/)]);
  });

  it('work when the script reads attributes it cannot name (every attribute fetched)', () => {
    const script = 'function(entry) { const k = "mail"; return entry[k] && groups.isMember(entry, "inner") ? "yes" : "no"; }';
    expect(roles(script, [entry(ALICE, { mail: ['a@x'] }), entry(BOB, { mail: ['b@x'] })])).toEqual([['yes'], ['no']]);
  });

  it('are loaded only for scripts that use them, and never as an entry property', () => {
    expect(usesGroups({ active: 'e => true', orgName: null, roleName: 'e => groups.isMember(e, "x") ? "r" : null' })).toBe(true);
    expect(usesGroups({ active: 'e => { const f = groups.names; return f(e).length > 0; }', orgName: null, roleName: null })).toBe(true);
    expect(usesGroups({ active: 'e => { const groups = e.all("memberOf"); return groups.length > 0; }', orgName: null, roleName: null })).toBe(false);
    expect(scriptPlan({ active: 'e => e.mail !== undefined', orgName: null, roleName: null }).groups).toBe(false);
    expect(roles('e => [String(e.$groups), String("$groups" in e)]', [entry(ALICE)])).toEqual([['undefined', 'false']]);
  });
});

describe('DN comparison inside the sandbox', () => {
  // The sandbox has its own DN parser (it cannot import src-shared): the pairs must compare as the host's dnKey does.
  const pairs: Array<[string, string]> = [
    ['cn=Staff,ou=Groups,dc=example,dc=com', 'CN=staff, OU=groups, DC=EXAMPLE, DC=com'],
    ['cn=Smith\\, John,dc=x', 'cn=smith\\2c john,dc=x'],
    ['cn=Smith\\, John,dc=x', 'cn=Smith John,dc=x'],
    ['cn=Ünïcödé Grüppe,dc=x', 'cn=\\C3\\9Cn\\C3\\AFc\\C3\\B6d\\C3\\A9 gr\\C3\\BCppe,dc=x'],
    ['cn=a+sn=b,dc=x', 'sn=b+cn=a,dc=x'],
    ['cn=a+sn=b,dc=x', 'cn=a,sn=b,dc=x'],
    ['cn=\\ lead,dc=x', 'cn=lead,dc=x'],
    ['cn=trail\\ ,dc=x', 'cn=trail\\20,dc=x'],
    ['cn=#04024869,dc=x', 'cn=#04024869,dc=x'],
    ['cn=\\#hash,dc=x', 'cn=\\23hash,dc=x'],
    ['cn=two  spaces,dc=x', 'cn=two spaces,dc=x'],
    ['2.5.4.3=x,dc=y', 'cn=x,dc=y'],
    ['cn=x=y,dc=z', 'cn=x\\=y,dc=z'],
    ['cn=😀 emoji,dc=x', 'cn=\\F0\\9F\\98\\80 emoji,dc=x'],
  ];

  it('agrees with the host on which DNs are the same', () => {
    const script = `function(entry) { return groups.isMember(entry, entry.description) ? 'same' : 'different'; }`;
    const entries = pairs.map(([, b], i) => entry(`uid=u${i},dc=t`, { description: [b] }));
    const closure = new GroupClosure();
    pairs.forEach(([a], i) => closure.add(a, [`uid=u${i},dc=t`]));
    const got = roles(script, entries, closure);
    const expected = pairs.map(([a, b]) => [dnKey(a) === dnKey(b) ? 'same' : 'different']);
    expect(got).toEqual(expected);
    // The pairs cover both answers.
    expect(new Set(expected.map((e) => e[0])).size).toBe(2);
  });
});
