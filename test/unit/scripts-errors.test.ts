import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerScripts } from '../../src-shared/domain/mapping';
import { ScriptEngine, type EntryInput } from '../../src-main/scripts/engine';

let engine: ScriptEngine;
beforeAll(async () => {
  engine = await ScriptEngine.create();
});
afterAll(() => engine.dispose());

const ENTRIES: EntryInput[] = ['ann', 'bob', 'cid'].map((uid) => ({ dn: `uid=${uid},dc=example,dc=com`, attributes: { uid: [uid], l: ['Oslo'] } }));
const OK: ServerScripts = { active: 'e => true', orgName: "e => 'Org ' + e.l", roleName: "e => 'User'" };

describe('script failures become row-level errors', () => {
  it('reports a thrown exception with its message and the line and column in the script', () => {
    const orgName = "function(entry) {\n  if (entry.uid == 'bob') {\n    throw new Error('no org for ' + entry.uid);\n  }\n  return 'Org';\n}";
    const { outcomes } = engine.evaluate({ ...OK, orgName }, ENTRIES);
    expect(outcomes.map((o) => o.org)).toEqual(['Org', null, 'Org']);
    expect(outcomes[1].errors).toEqual([{ script: 'orgName', code: 'SCRIPT_THROWN', message: 'Error: no org for bob', line: 3, column: 20 }]);
    expect(outcomes[1].active).toBe(true);
    expect(outcomes[1].roles).toEqual(['User']);
  });

  it('reports a runtime type error on the line where it happened', () => {
    const active = 'function(entry) {\n  var parts = entry.missing;\n  return parts.length > 0;\n}';
    const [o] = engine.evaluate({ ...OK, active }, ENTRIES.slice(0, 1)).outcomes;
    expect(o.active).toBeNull();
    expect(o.errors).toEqual([
      { script: 'active', code: 'SCRIPT_THROWN', message: "TypeError: cannot read property 'length' of undefined", line: 3, column: 15 },
    ]);
  });

  it('gives the right line for errors in scripts with helper functions first', () => {
    const roleName = "var ROLES = { ann: 'Admin' };\nfunction roleOf(uid) {\n  return ROLES[uid].toUpperCase();\n}\n(function(entry) {\n  return roleOf(entry.uid);\n})";
    const { outcomes } = engine.evaluate({ ...OK, roleName }, ENTRIES.slice(0, 2));
    expect(outcomes[0].roles).toEqual(['ADMIN']);
    expect(outcomes[1].errors).toEqual([expect.objectContaining({ script: 'roleName', code: 'SCRIPT_THROWN', line: 3 })]);
  });

  it('reports a thrown non-error value', () => {
    const [o] = engine.evaluate({ ...OK, active: "e => { throw 'not today'; }" }, ENTRIES.slice(0, 1)).outcomes;
    expect(o.errors).toEqual([{ script: 'active', code: 'SCRIPT_THROWN', message: 'threw "not today"' }]);
    const { outcomes } = engine.evaluate({ ...OK, active: "e => { if (e.uid == 'ann') throw null; return true; }" }, ENTRIES);
    expect(outcomes.map((x) => [x.active, x.errors.map((e) => e.message)])).toEqual([
      [null, ['threw null']],
      [true, []],
      [true, []],
    ]);
  });

  it('requires the Active script to return a boolean', () => {
    const cases: Array<[string, string]> = [
      ["e => 'yes'", 'Active script returned a string ("yes"); return true or false'],
      ['e => 1', 'Active script returned a number (1); return true or false'],
      ['e => {}', 'Active script returned undefined; return true or false'],
      ['e => null', 'Active script returned null; return true or false'],
      ['e => [true]', 'Active script returned an array; return true or false'],
    ];
    for (const [active, message] of cases) {
      const [o] = engine.evaluate({ ...OK, active }, ENTRIES.slice(0, 1)).outcomes;
      expect(o.active).toBeNull();
      expect(o.errors).toEqual([{ script: 'active', code: 'SCRIPT_RETURN_TYPE', message, line: 1, column: 1 }]);
      expect(o.org).toBe('Org Oslo');
    }
  });

  it('requires the Org name script to return a string or nothing', () => {
    const [o] = engine.evaluate({ ...OK, orgName: 'function(entry) {\n  return 5;\n}' }, ENTRIES.slice(0, 1)).outcomes;
    expect(o.org).toBeNull();
    expect(o.errors).toEqual([
      { script: 'orgName', code: 'SCRIPT_RETURN_TYPE', message: 'Org name script returned a number (5); return a string, or null for no organization', line: 1, column: 1 },
    ]);
    const helpers = engine.evaluate({ ...OK, orgName: 'var x = 1;\n\n  e => ({ name: "x" })' }, ENTRIES.slice(0, 1)).outcomes[0];
    expect(helpers.errors).toEqual([expect.objectContaining({ code: 'SCRIPT_RETURN_TYPE', message: expect.stringContaining('an object'), line: 3, column: 3 })]);
  });

  it('requires the Role name script to return a string or an array of strings', () => {
    const run = (roleName: string) => engine.evaluate({ ...OK, roleName }, ENTRIES.slice(0, 1)).outcomes[0];
    expect(run("e => ['A', 7]").errors).toEqual([
      expect.objectContaining({ script: 'roleName', code: 'SCRIPT_RETURN_TYPE', message: 'Role name script returned an array holding a number (7) at index 1; return a string or an array of strings' }),
    ]);
    expect(run('e => true').errors[0].message).toBe('Role name script returned a boolean (true); return a string, an array of strings, or null for no role');
    expect(run('e => undefined')).toMatchObject({ roles: [], errors: [] });
    expect(run("e => 'A\\nB'").errors[0].message).toContain('control character');
  });

  it('reports an async script as returning a Promise, and the next evaluation is clean', () => {
    const [o] = engine.evaluate({ ...OK, active: 'async e => true' }, ENTRIES.slice(0, 1)).outcomes;
    expect(o.errors[0]).toMatchObject({ code: 'SCRIPT_RETURN_TYPE', message: 'Active script returned a Promise (scripts must not be async); return true or false' });
    expect(engine.evaluate(OK, ENTRIES).outcomes.every((x) => x.active === true && x.errors.length === 0)).toBe(true);
  });

  it('gives a syntax error to every entry with its line and column, and still runs the other scripts', () => {
    const orgName = "function(entry) {\n  return 'Org ' + ;\n}";
    const { outcomes } = engine.evaluate({ ...OK, orgName }, ENTRIES);
    for (const o of outcomes) {
      expect(o.org).toBeNull();
      expect(o.active).toBe(true);
      expect(o.roles).toEqual(['User']);
      expect(o.errors).toEqual([expect.objectContaining({ script: 'orgName', code: 'SCRIPT_SYNTAX', line: 2, column: 19 })]);
    }
  });

  it('gives a script that is not a function a not-a-function error on every entry', () => {
    const { outcomes } = engine.evaluate({ ...OK, roleName: "'Desktop User'" }, ENTRIES);
    for (const o of outcomes) {
      expect(o.errors).toEqual([{ script: 'roleName', code: 'SCRIPT_NOT_FUNCTION', message: expect.stringContaining('a string ("Desktop User")'), line: 1, column: 1 }]);
    }
  });
});

describe('console output of scripts', () => {
  it('is captured per entry with the script and the entry dn when asked for', () => {
    const active = "function(entry) {\n  console.log('checking', entry.uid, { n: 1 });\n  console.warn([1, 2]);\n  return true;\n}";
    const { outcomes } = engine.evaluate({ ...OK, active }, ENTRIES.slice(0, 2), { captureLogs: true });
    expect(outcomes[1].logs).toEqual([
      { script: 'active', dn: 'uid=bob,dc=example,dc=com', text: 'checking bob {"n":1}' },
      { script: 'active', dn: 'uid=bob,dc=example,dc=com', text: '[1,2]' },
    ]);
  });

  it('is a silent no-op when not captured', () => {
    const { outcomes } = engine.evaluate({ ...OK, active: "e => { console.log('x'); console.error(new Error('y')); return true; }" }, ENTRIES);
    expect(outcomes.every((o) => o.logs.length === 0 && o.errors.length === 0 && o.active === true)).toBe(true);
  });

  it('is capped in lines per evaluation and in characters per line', () => {
    const entries = Array.from({ length: 150 }, (_, i) => ({ dn: `uid=u${i}`, attributes: {} }));
    const active = "e => { console.log('a'); console.log('b'); console.info('x'.repeat(5000)); return true; }";
    const { outcomes } = engine.evaluate({ ...OK, active }, entries, { captureLogs: true });
    const logs = outcomes.flatMap((o) => o.logs);
    expect(logs).toHaveLength(201);
    expect(logs[200].text).toContain('further console output dropped');
    expect(Math.max(...logs.map((l) => l.text.length))).toBeLessThanOrEqual(1001);
  });

  it('prints errors, undefined and unprintable values without failing the script', () => {
    const active = "e => { var c = {}; c.self = c; console.log(new TypeError('t'), undefined, null, c, function f() {}); return true; }";
    const [o] = engine.evaluate({ ...OK, active }, ENTRIES.slice(0, 1), { captureLogs: true }).outcomes;
    expect(o.errors).toEqual([]);
    expect(o.logs[0].text).toBe('TypeError: t undefined null [unprintable value] [function]');
  });
});
