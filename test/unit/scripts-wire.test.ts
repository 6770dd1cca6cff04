/**
 * The batch wire between host and sandbox: packing (control characters, case-insensitive merging,
 * keys in any order), the entry objects the loader builds (object literal or assignments), result
 * decoding and the Role name arrays shared between entries.
 */
import { getQuickJS, type QuickJSWASMModule } from 'quickjs-emscripten';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerScripts } from '../../src-shared/domain/mapping';
import { ScriptEngine, type EntryInput } from '../../src-main/scripts/engine';
import { loaderSource } from '../../src-main/scripts/loader-source';
import { analyzeScripts } from '../../src-main/scripts/used-attributes';
import { makePlan, packBatch, resultEnds, RoleNameCache, roleNames } from '../../src-main/scripts/wire';

let engine: ScriptEngine;
let quickjs: QuickJSWASMModule;
beforeAll(async () => {
  engine = await ScriptEngine.create();
  quickjs = await getQuickJS();
});
afterAll(() => engine.dispose());

const orgScripts = (orgName: string): ServerScripts => ({ active: 'e => true', orgName, roleName: null });

/** Org name results of a script over entries, each checked error-free. */
function orgs(orgName: string, entries: EntryInput[]): Array<string | null> {
  return engine.evaluate(orgScripts(orgName), entries).outcomes.map((o) => {
    expect(o.errors).toEqual([]);
    return o.org;
  });
}

describe('packing a batch', () => {
  const plan = makePlan(analyzeScripts({ active: 'e => e.mail !== "x"', orgName: 'e => e.employeeType', roleName: null }));
  const entry = (i: number, mail: string[] = [`u${i}@example.com`]): EntryInput => ({ dn: `uid=u${i}`, attributes: { mail, employeeType: ['staff'] } });

  it('sends a batch packed, and as JSON as soon as any dn or used value holds U+0000-U+0003', () => {
    const entries = Array.from({ length: 5 }, (_, i) => entry(i));
    expect(packBatch(entries, 0, 5, plan)).toMatchObject({ json: false, multi: false });
    for (const bad of ['\u0000', '\u0001', '\u0002', '\u0003']) {
      const withValue = [...entries.slice(0, 3), entry(3, ['a', `b${bad}c`]), entry(4)];
      expect(packBatch(withValue, 0, 5, plan).json).toBe(true);
      const withDn = [...entries.slice(0, 4), { ...entry(4), dn: `uid=x${bad}` }];
      expect(packBatch(withDn, 0, 5, plan).json).toBe(true);
    }
    // Other control characters travel packed; unused attributes are not looked at.
    expect(packBatch([entry(0, ['a\u0004\u001f\n']), { dn: 'uid=y', attributes: { description: ['\u0001'] } }], 0, 2, plan).json).toBe(false);
  });

  it('tells the sandbox whether any field holds several values', () => {
    const entries = Array.from({ length: 4 }, (_, i) => entry(i));
    expect(packBatch(entries, 0, 4, plan).multi).toBe(false);
    entries[3] = entry(3, ['a@example.com', 'b@example.com']);
    expect(packBatch(entries, 0, 4, plan).multi).toBe(true);
    expect(packBatch(entries, 0, 3, plan).multi).toBe(false);
  });

  it('carries control characters intact through the JSON path, wherever they are in the batch', () => {
    const entries: EntryInput[] = Array.from({ length: 1500 }, (_, i) => ({ dn: `uid=u${i}`, attributes: { description: [`d${i}`] } }));
    entries[1200] = { dn: 'uid=odd\u0003', attributes: { description: ['a\u0000b', 'c\u0002d', ''] } };
    const got = orgs("function(entry) { return JSON.stringify([entry.dn, entry.description, entry.all('description')]); }", entries);
    expect(got[1200]).toBe(JSON.stringify(['uid=odd\u0003', 'a\u0000b', ['a\u0000b', 'c\u0002d', '']]));
    expect(got[1199]).toBe(JSON.stringify(['uid=u1199', 'd1199', ['d1199']]));
    expect(got[1201]).toBe(JSON.stringify(['uid=u1201', 'd1201', ['d1201']]));
    expect(got[0]).toBe(JSON.stringify(['uid=u0', 'd0', ['d0']]));
  });

  it('merges keys differing only in case, whatever order and spelling each entry uses', () => {
    const entries: EntryInput[] = [
      { dn: 'a', attributes: { uid: ['a'], Mail: ['m1'], cn: ['x'] } },
      { dn: 'b', attributes: { cn: ['x'], mail: ['m2'], uid: ['b'] } },
      { dn: 'c', attributes: { MAIL: ['m3'], mail: ['m4'] } },
      { dn: 'd', attributes: { uid: ['d'], cn: ['x'] } },
      { dn: 'e', attributes: { uid: ['e'], Mail: ['m5'], cn: ['x'] } },
      { dn: 'f', attributes: { mail: [], MaIl: ['m6', 'm7'] } },
    ];
    expect(orgs("function(entry) { return JSON.stringify([entry.mail, entry.all('mail'), entry.uid]); }", entries)).toEqual([
      JSON.stringify(['m1', ['m1'], 'a']),
      JSON.stringify(['m2', ['m2'], 'b']),
      JSON.stringify(['m3', ['m3', 'm4'], undefined]),
      JSON.stringify([undefined, [], 'd']),
      JSON.stringify(['m5', ['m5'], 'e']),
      JSON.stringify(['m6', ['m6', 'm7'], undefined]),
    ]);
  });
});

describe('the entry objects built in the sandbox', () => {
  // The loader generated for a script reading mail and employeeType, run on its own in QuickJS (a
  // script cannot list the entry's keys without making the analysis dynamic): present attributes
  // under each spelling, absent ones not at all.
  const keysPlan = makePlan(analyzeScripts({ active: 'e => true', orgName: 'function(entry) { return entry.mail + entry.employeeType; }', roleName: null }));
  const loadedKeys = (entries: EntryInput[]): string[] => {
    const batch = packBatch(entries, 0, entries.length, keysPlan);
    const p = batch.json ? `JSON.parse(${JSON.stringify(batch.text)})` : `${JSON.stringify(batch.text)}.split('\\u0001')`;
    const code = `(${loaderSource(keysPlan)})(Object.create, '\\u0003', '\\u0002', Symbol('base')).load(${p}, ${entries.length}, {}, ${batch.json}, ${batch.multi})
      .map((o) => JSON.stringify(Object.getOwnPropertyNames(o).map((k) => [k, o[k]])))`;
    const ctx = quickjs.newContext();
    try {
      const handle = ctx.unwrapResult(ctx.evalCode(code));
      const out = ctx.dump(handle) as string[];
      handle.dispose();
      return out;
    } finally {
      ctx.dispose();
    }
  };

  it('has the same properties, in the same order, whether the entry has every attribute or not', () => {
    const entries: EntryInput[] = [
      { dn: 'uid=full', attributes: { mail: ['m@x', 'n@x'], employeeType: ['staff'] } },
      { dn: 'uid=nomail', attributes: { employeeType: ['staff'] } },
      { dn: 'uid=empty', attributes: { mail: [''], employeeType: [] } },
      { dn: 'uid=single', attributes: { EMPLOYEETYPE: ['admin'], mail: ['m@y'] } },
    ];
    const expected = [
      [['dn', 'uid=full'], ['mail', 'm@x'], ['employeetype', 'staff'], ['employeeType', 'staff']],
      [['dn', 'uid=nomail'], ['employeetype', 'staff'], ['employeeType', 'staff']],
      [['dn', 'uid=empty'], ['mail', '']],
      [['dn', 'uid=single'], ['mail', 'm@y'], ['employeetype', 'admin'], ['employeeType', 'admin']],
    ].map((e) => JSON.stringify(e));
    expect(loadedKeys(entries)).toEqual(expected);
    // The same entries in a JSON batch (a control character elsewhere) look the same.
    const json = [...entries, { dn: 'uid=odd', attributes: { mail: ['\u0001'] } }];
    expect(packBatch(json, 0, json.length, keysPlan).json).toBe(true);
    expect(loadedKeys(json).slice(0, 4)).toEqual(expected);
  });

  it('gives each entry its own object, which a script may change without affecting the next', () => {
    const entries: EntryInput[] = Array.from({ length: 3 }, (_, i) => ({ dn: `uid=u${i}`, attributes: { mail: [`m${i}`] } }));
    expect(orgs("function(entry) { const before = entry.mail; entry.mail = 'changed'; entry.extra = 1; return before + '/' + entry.mail; }", entries)).toEqual([
      'm0/changed',
      'm1/changed',
      'm2/changed',
    ]);
  });

  it('never defines __proto__ through an object literal key', () => {
    const source = loaderSource({ names: ['x'], spell: [['__proto__', 'x']], index: {}, raw: false, dynamic: false });
    expect(source).toContain('["__proto__"]: v0');
    expect(source).not.toMatch(/[^[]"__proto__": /);
  });
});

describe('pass results', () => {
  it('finds the field boundaries, and refuses a wrong count', () => {
    expect(Array.from(resultEnds('1\u0001ab\u0001\u0001c', 4)!)).toEqual([1, 4, 5, 7]);
    expect(Array.from(resultEnds('', 1)!)).toEqual([0]);
    expect(resultEnds('', 0)).toEqual(new Int32Array(0));
    expect(resultEnds('a\u0001b', 1)).toBeNull();
    expect(resultEnds('a\u0001b', 3)).toBeNull();
  });

  it('reads one-character names as names, not as markers', () => {
    const entries: EntryInput[] = Array.from({ length: 4 }, (_, i) => ({ dn: `uid=u${i}`, attributes: { uid: [`u${i}`] } }));
    const scripts: ServerScripts = {
      active: "e => e.uid !== 'u1'",
      orgName: "e => e.uid === 'u0' ? 'X' : e.uid === 'u1' ? '1' : e.uid === 'u2' ? '' : 'Org'",
      roleName: "e => e.uid === 'u0' ? 'R' : e.uid === 'u1' ? ['1', '0'] : null",
    };
    const out = engine.evaluate(scripts, entries).outcomes.map((o) => [o.active, o.org, o.roles]);
    expect(out).toEqual([
      [true, 'X', ['R']],
      [false, '1', ['1', '0']],
      [true, null, []],
      [true, 'Org', []],
    ]);
  });
});

describe('Role name arrays', () => {
  it('are shared between entries with the same answer, frozen, with duplicates removed', () => {
    const entries: EntryInput[] = Array.from({ length: 2200 }, (_, i) => ({ dn: `uid=u${i}`, attributes: { employeeType: [i % 4 === 0 ? 'admin' : 'staff'] } }));
    const scripts: ServerScripts = {
      active: 'e => true',
      orgName: null,
      roleName: "e => e.employeeType === 'admin' ? ['Desktop User', 'Org Admin', 'Desktop User'] : e.employeeType === 'staff' ? ['Desktop User'] : null",
    };
    const { outcomes } = engine.evaluate(scripts, entries);
    expect(outcomes[0].roles).toEqual(['Desktop User', 'Org Admin']);
    expect(outcomes[1].roles).toEqual(['Desktop User']);
    // Shared across batches of one evaluation (2,200 entries: three batches).
    expect(outcomes[2196].roles).toBe(outcomes[0].roles);
    expect(outcomes[2199].roles).toBe(outcomes[1].roles);
    expect(Object.isFrozen(outcomes[0].roles)).toBe(true);
    expect(() => outcomes[1].roles.push('x')).toThrow(TypeError);
    expect(outcomes[3].roles).toEqual(['Desktop User']);
  });

  it('are a shared frozen empty array when an entry has no role, or no Role name script ran', () => {
    const entries: EntryInput[] = [{ dn: 'a', attributes: {} }, { dn: 'b', attributes: {} }];
    const none = engine.evaluate({ active: 'e => true', orgName: null, roleName: 'e => null' }, entries).outcomes;
    expect(none[0].roles).toEqual([]);
    expect(none[0].roles).toBe(none[1].roles);
    expect(Object.isFrozen(none[0].roles)).toBe(true);
    const absent = engine.evaluate({ active: 'e => true', orgName: null, roleName: null }, entries).outcomes;
    expect(absent[0].roles).toEqual([]);
    const failing = engine.evaluate({ active: 'e => true', orgName: null, roleName: 'e => { throw new Error("no") }' }, entries).outcomes;
    expect(failing[0].roles).toEqual([]);
    expect(failing[0].errors[0]).toMatchObject({ script: 'roleName', code: 'SCRIPT_THROWN' });
  });

  it('stop being remembered past the cache limit but stay right', () => {
    const cache = new RoleNameCache(2);
    const a = cache.get('A');
    expect(cache.get('A')).toBe(a);
    cache.get('B\u0002C\u0002B');
    const d = cache.get('D');
    expect(d).toEqual(['D']);
    expect(cache.get('D')).not.toBe(d);
    expect(cache.get('D')).toEqual(['D']);
    expect(cache.get('B\u0002C\u0002B')).toEqual(['B', 'C']);
    expect(roleNames('')).toEqual([]);
  });
});
