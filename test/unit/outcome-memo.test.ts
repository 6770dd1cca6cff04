/**
 * Scripts evaluated once per distinct set of the values they read (scripts/outcome-memo.ts), when
 * they are functions of those values (scripts/pure-scripts.ts): the outcomes must be exactly those
 * of evaluating every entry, with the real QuickJS engine; scripts that could carry state from one
 * entry to the next, read the clock or chance, or read the DN are never memoised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnsOfEntries } from '../../src-main/directory/column-page';
import type { DirectoryEntry } from '../../src-main/directory/entry';
import { ScriptEngine } from '../../src-main/scripts/engine';
import { OutcomeMemo } from '../../src-main/scripts/outcome-memo';
import { memoBlocker } from '../../src-main/scripts/pure-scripts';
import type { ScriptOutcome } from '../../src-main/scripts/evaluation';
import type { ServerScripts } from '../../src-shared/domain/mapping';

let engine: ScriptEngine;
beforeAll(async () => {
  engine = await ScriptEngine.create();
});
afterAll(() => engine.dispose());

const scripts = (active: string, orgName: string | null = null, roleName: string | null = null): ServerScripts => ({ active, orgName, roleName });

const TYPICAL = scripts(
  "function(entry) { return entry.employeeType !== 'terminated'; }",
  "function(entry) { if (entry.departmentNumber === 'D13') throw new Error('no such department: ' + entry.departmentNumber); return 'Dept ' + entry.departmentNumber; }",
  "function(entry) { return entry.employeeType === 'admin' ? ['Desktop User', 'Org Admin'] : ['Desktop User']; }",
);

function people(n: number): DirectoryEntry[] {
  const types = ['staff', 'admin', 'terminated', 'contractor'];
  return Array.from({ length: n }, (_, i) => ({
    dn: `uid=u${i},ou=people,dc=example,dc=com`,
    attributes: {
      uid: [`u${i}`],
      ...(i % 7 === 0 ? {} : { departmentNumber: [`D${i % 15}`] }),
      employeeType: i % 11 === 0 ? [types[i % 4], 'admin'] : [types[i % 4]],
      ...(i % 13 === 0 ? { description: ['a\u0001b'] } : {}),
    },
  }));
}

const names = ['uid', 'departmentnumber', 'employeetype', 'description'];

async function withMemo(s: ServerScripts, entries: DirectoryEntry[], pageSize = 1000): Promise<{ outcomes: ScriptOutcome[]; memo: OutcomeMemo }> {
  const memo = new OutcomeMemo(['departmentNumber', 'employeeType']);
  const outcomes: ScriptOutcome[] = [];
  for (let from = 0; from < entries.length; from += pageSize) {
    const page = columnsOfEntries(entries.slice(from, from + pageSize), names);
    outcomes.push(...(await memo.evaluatePage(page, async (some) => (await engine.evaluate(s, some)).outcomes)));
  }
  return { outcomes, memo };
}

describe('OutcomeMemo', () => {
  it('gives every entry the outcome of evaluating it, errors included, evaluating each distinct input once', async () => {
    const entries = people(3000);
    const { outcomes, memo } = await withMemo(TYPICAL, entries);
    const plain = (await engine.evaluate(TYPICAL, entries)).outcomes;
    expect(outcomes).toEqual(plain);
    expect(plain.some((o) => o.errors.some((e) => e.code === 'SCRIPT_THROWN'))).toBe(true);
    const distinct = new Set(entries.map((e) => JSON.stringify([e.attributes.departmentNumber, e.attributes.employeeType])));
    // Each distinct input once per page at most (3 pages), never once per entry.
    expect(memo.stats.evaluated).toBeGreaterThanOrEqual(distinct.size);
    expect(memo.stats.evaluated).toBeLessThanOrEqual(distinct.size * 3);
    expect(memo.stats.on).toBe(true);
  });

  it('tells an absent attribute from an empty value and one value from two', async () => {
    const s = scripts('function(entry) { return entry.departmentNumber === undefined || entry.departmentNumber === ""; }', "function(entry) { return JSON.stringify(entry.employeeType) + '/' + typeof entry.departmentNumber; }");
    const entries: DirectoryEntry[] = [
      { dn: 'uid=a', attributes: { employeeType: ['x'] } },
      { dn: 'uid=b', attributes: { employeeType: ['x'], departmentNumber: [''] } },
      { dn: 'uid=c', attributes: { employeeType: ['x', ''] } },
      { dn: 'uid=d', attributes: { employeeType: ['x\u0002'] } },
      { dn: 'uid=e', attributes: { employeeType: ['x', ''], departmentNumber: ['1'] } },
    ];
    const { outcomes } = await withMemo(s, entries);
    expect(outcomes).toEqual((await engine.evaluate(s, entries)).outcomes);
  });

  it('turns itself off when inputs hardly repeat, and still gives every outcome', async () => {
    const s = scripts('function(entry) { return entry.employeeType.length > 3; }');
    const entries = people(8000).map((e, i) => ({ ...e, attributes: { ...e.attributes, employeeType: [`t${i}`] } }));
    const { outcomes, memo } = await withMemo(s, entries);
    expect(memo.stats.on).toBe(false);
    expect(outcomes).toEqual((await engine.evaluate(s, entries)).outcomes);
  });
});

describe('memoBlocker', () => {
  it('lets scripts that are functions of the values they read be memoised', () => {
    expect(memoBlocker(TYPICAL)).toBeNull();
    expect(memoBlocker(scripts('entry => ad.isDisabled(entry) === false'))).toBeNull();
    expect(memoBlocker(scripts('function norm(s) { return String(s).trim().toLowerCase(); }\n(function(entry) { const m = { a: 1 }; m[norm(entry.ou)] = 2; return Math.max(0, 1) > 0; })'))).toBeNull();
    expect(memoBlocker(scripts('', null, null))).toBeNull();
  });

  it.each([
    ['the clock', 'function(entry) { return Date.now() > 0; }', /Date/],
    ['chance', 'function(entry) { return Math.random() > 0.5; }', /random/],
    ['state of the program', 'var n = 0;\n(function(entry) { n++; return n % 2 === 0; })', /statements/],
    ['a function object', 'function f(entry) { f.n = (f.n || 0) + 1; return f.n > 1; }\nf', /other than by calling/],
    ['prototypes', "function(entry) { const p = Object.getPrototypeOf(new Map()); return !!p; }", /getPrototypeOf/],
    ['this', 'function(entry) { return this === undefined; }', /this/],
    ['the DN', "function(entry) { return entry.dn.endsWith('dc=com'); }", /DN/],
    ['the DN by destructuring', 'function({ dn, mail }) { return !!dn; }', /DN/],
    ['computed reads', 'function(entry) { const k = "mail"; return !!entry[k]; }', /computed/],
    ['groups', "function(entry) { return groups.isMember(entry, 'admins'); }", /groups/],
    ['console', "function(entry) { console.log('x'); return true; }", /console/],
  ])('refuses %s', (_what, active, why) => {
    expect(memoBlocker(scripts(active))).toMatch(why);
  });
});
