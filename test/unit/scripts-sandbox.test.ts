import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerScripts } from '../../src-shared/domain/mapping';
import { ScriptEngine, type EntryInput } from '../../src-main/scripts/engine';

let engine: ScriptEngine;
beforeAll(async () => {
  engine = await ScriptEngine.create();
});
afterAll(() => engine.dispose());

const ENTRIES: EntryInput[] = ['ann', 'bob'].map((uid) => ({ dn: `uid=${uid},dc=example,dc=com`, attributes: { uid: [uid] } }));

/** Runs `body` as the Org name script on the first entry and returns what it returned (or threw). */
function probe(body: string): string | null {
  const scripts: ServerScripts = { active: 'e => true', orgName: `function(entry) { try { ${body} } catch (e) { return 'threw ' + e.name; } }`, roleName: null };
  const [o] = engine.evaluate(scripts, ENTRIES.slice(0, 1)).outcomes;
  expect(o.errors).toEqual([]);
  return o.org;
}

/** The normal scripts still work after something hostile ran. */
function expectHealthy() {
  const { outcomes } = engine.evaluate({ active: "e => e.uid != 'bob'", orgName: "e => 'Org ' + e.uid", roleName: "e => ['User']" }, ENTRIES);
  expect(outcomes.map((o) => [o.active, o.org, o.roles, o.errors])).toEqual([
    [true, 'Org ann', ['User'], []],
    [false, 'Org bob', ['User'], []],
  ]);
}

describe('the sandbox keeps scripts away from the host', () => {
  it('has no require, process, filesystem, network or timers', () => {
    for (const name of ['require', 'process', 'module', 'Buffer', 'fetch', 'XMLHttpRequest', 'setTimeout', 'setInterval', 'WebAssembly', 'std', 'os', 'global']) {
      expect({ name, type: probe(`return typeof ${name};`) }).toEqual({ name, type: 'undefined' });
    }
  });

  it('reaches only the sandbox through constructor chains', () => {
    expect(probe("return typeof entry.constructor.constructor('return process')();")).toBe('threw ReferenceError');
    expect(probe("return typeof entry.all.constructor('return this')().process;")).toBe('undefined');
    expect(probe("return typeof console.log.constructor('return require')();")).toBe('threw ReferenceError');
    expect(probe("return typeof (function(){}).constructor.constructor('return globalThis')().require;")).toBe('undefined');
    expect(probe('return typeof Object.getPrototypeOf(entry).constructor;')).toBe('function');
  });

  it('gives this, globalThis and Function("return this") only the sandbox global', () => {
    expect(probe("return String(Function('return this')() === globalThis && this === globalThis);")).toBe('true');
    const names = probe('return Object.getOwnPropertyNames(globalThis).sort().join(",");')!.split(',');
    expect(names).toContain('JSON');
    expect(names).toContain('console');
    expect(names.filter((n) => /^(require|process|Buffer|fetch|setTimeout|__.*)$/.test(n))).toEqual([]);
  });

  it('cannot reach the host with eval or dynamic import', () => {
    expect(probe("return typeof eval('typeof process === \"undefined\" ? globalThis : process').JSON;")).toBe('object');
    expect(probe("return eval('typeof require');")).toBe('undefined');
    const scripts: ServerScripts = { active: 'e => true', orgName: "e => { import('node:fs').then(fs => fs.writeFileSync('/tmp/pwned', 'x')); return 'tried'; }", roleName: null };
    expect(engine.evaluate(scripts, ENTRIES.slice(0, 1)).outcomes[0].org).toBe('tried');
    expectHealthy();
  });

  it('keeps the console free of host objects', () => {
    expect(probe('return String(Object.isFrozen(console) && Object.getOwnPropertyNames(console).length);')).toBe('5');
    expect(probe('console.log = null; return typeof console.log;')).toBe('function');
  });
});

describe('scripts cannot leave anything behind', () => {
  it('cannot pollute prototypes for later entries, evaluations or other servers', () => {
    const polluter: ServerScripts = {
      active: "function(entry) { Object.prototype.isAdmin = true; Array.prototype.push = null; String.prototype.trim = function () { return 'hacked'; }; JSON.stringify = null; return true; }",
      orgName: "function(entry) { return ({}).isAdmin ? 'polluted' : ' clean '; }",
      roleName: "function(entry) { 'use strict'; try { Object.prototype.x = 1; return 'unfrozen'; } catch (e) { return e.name; } }",
    };
    const { outcomes } = engine.evaluate(polluter, ENTRIES);
    expect(outcomes.map((o) => [o.active, o.org, o.roles, o.errors])).toEqual([
      [true, 'clean', ['TypeError'], []],
      [true, 'clean', ['TypeError'], []],
    ]);
    expect(probe("return [typeof ({}).isAdmin, typeof [].push, ' x '.trim(), typeof JSON.stringify].join(',');")).toBe('undefined,function,x,function');
    expectHealthy();
  });

  it('cannot create globals, so nothing carries over between entries or evaluations', () => {
    const counter = "function(entry) { globalThis.count = (globalThis.count || 0) + 1; return String(globalThis.count); }";
    const run = () => engine.evaluate({ active: 'e => true', orgName: counter, roleName: null }, ENTRIES).outcomes.map((o) => o.org);
    expect(run()).toEqual(['undefined', 'undefined']);
    expect(run()).toEqual(['undefined', 'undefined']);
    expect(probe('total = 5; return typeof total;')).toBe('undefined');
    expect(probe("return (function () { 'use strict'; globalThis.total = 5; return 'set'; })();")).toBe('threw TypeError');
  });

  it('starts the top-level state of scripts with helpers afresh on every evaluation', () => {
    const numbered = "var seen = 0;\n(function(entry) { seen++; return 'n' + seen; })";
    const run = () => engine.evaluate({ active: 'e => true', orgName: numbered, roleName: null }, ENTRIES).outcomes.map((o) => o.org);
    expect(run()).toEqual(['n1', 'n2']);
    expect(run()).toEqual(['n1', 'n2']);
  });

  it('cannot change the entry objects of other entries or the entry prototype', () => {
    const scripts: ServerScripts = {
      active: "function(entry) { var p = Object.getPrototypeOf(entry); p.uid = 'forged'; Object.getPrototypeOf(p).all = null; entry.uid = 'changed'; return true; }",
      orgName: "function(entry) { return entry.all('uid').join(','); }",
      roleName: null,
    };
    expect(engine.evaluate(scripts, ENTRIES).outcomes.map((o) => o.org)).toEqual(['ann', 'bob']);
    expectHealthy();
  });

  it('keeps two servers with the same helper names apart', () => {
    const a: ServerScripts = { active: 'const tag = "A";\n(e => true)', orgName: 'const tag = "A";\n(e => tag)', roleName: null };
    const b: ServerScripts = { active: 'const tag = "B";\n(e => true)', orgName: 'const tag = "B";\n(e => tag)', roleName: null };
    expect(engine.evaluate(a, ENTRIES.slice(0, 1)).outcomes[0].org).toBe('A');
    expect(engine.evaluate(b, ENTRIES.slice(0, 1)).outcomes[0].org).toBe('B');
    expect(engine.evaluate(a, ENTRIES.slice(0, 1)).outcomes[0].org).toBe('A');
  });
});
