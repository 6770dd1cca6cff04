import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACTIVE_SCRIPT, type ServerScripts } from '../../src-shared/domain/mapping';
import { ScriptEngine } from '../../src-main/scripts/engine';

let engine: ScriptEngine;
beforeAll(async () => {
  engine = await ScriptEngine.create();
});
afterAll(() => engine.dispose());

const active = (text: string): ServerScripts => ({ active: text, orgName: null, roleName: null });

describe('checking scripts before they run', () => {
  it('passes the default Active script and the usual script shapes', () => {
    const shapes = [
      DEFAULT_ACTIVE_SCRIPT,
      "function(entry) { return entry.employeeType == 'admin'; }",
      "function(entry) { return entry.employeeType == 'admin'; };",
      'function isActive(entry) { return true; }',
      "entry => entry.uid != 'root'",
      '(entry) => { return true; } // trailing comment',
      "function isAdmin(e) { return e.has('memberOf', 'cn=admins'); }\n(function(entry) { return !isAdmin(entry); })",
      'const blocked = new Set(["root"]);\nentry => !blocked.has(entry.uid)',
    ];
    for (const text of shapes) expect({ text, diagnostics: engine.check(active(text)) }).toEqual({ text, diagnostics: [] });
  });

  it('places a syntax error on its line and column in a multi-line script', () => {
    const text = 'function(entry) {\n  var type = entry.employeeType;\n  return type == ;\n}';
    const [d] = engine.check(active(text));
    expect(d).toMatchObject({ script: 'active', severity: 'error', line: 3, column: 18 });
    expect(d.message).toMatch(/^Syntax error: /);
    expect(text.slice(d.from, d.to)).toBe(';');
  });

  it('places a syntax error on the first line without counting the engine\'s wrapper', () => {
    const [d] = engine.check(active('function(entry) { return entry.x +* 2; }'));
    expect(d).toMatchObject({ line: 1, column: 35 });
    expect(d.from).toBe(34);
  });

  it('places a syntax error after helper functions on its own line', () => {
    const text = 'function helper(x) {\n  return x + 1;\n}\nvar y = ];\n(function(entry) { return true; })';
    const [d] = engine.check(active(text));
    expect(d).toMatchObject({ line: 4, column: 9 });
  });

  it('explains an anonymous function placed after other statements', () => {
    const [d] = engine.check(active('var prefix = "x";\nfunction(entry) { return true; }'));
    expect(d.line).toBe(2);
    expect(d.message).toContain('wrap it in parentheses');
  });

  it('reports a script that is not a function, saying what it evaluated to', () => {
    const cases: Array<[string, string]> = [
      ['42', 'a number (42)'],
      ['"yes"', 'a string ("yes")'],
      ['true', 'a boolean (true)'],
      ['({ active: true })', 'an object'],
      ['null', 'null'],
      ['var x = 1;', 'undefined'],
    ];
    for (const [text, what] of cases) {
      const [d] = engine.check(active(text));
      expect(d).toMatchObject({ script: 'active', line: 1, column: 1, from: 0 });
      expect(d.message).toBe(`The Active script evaluates to ${what}, not a function; write it as function(entry) { ... } or entry => ...`);
    }
  });

  it('reports an expression using entry outside a function as not a function', () => {
    const [d] = engine.check(active("entry.employeeType == 'admin'"));
    expect(d).toMatchObject({ line: 1, column: 1 });
    expect(d.message).toContain('is an expression, not a function');
    expect(d.message).toContain("'entry' is not defined");
  });

  it('reports an empty Active script and ignores absent optional scripts', () => {
    expect(engine.check({ active: '  ', orgName: null, roleName: '' })).toEqual([
      expect.objectContaining({ script: 'active', message: expect.stringContaining('is empty') }),
    ]);
  });

  it('checks each script present and names it in its diagnostic', () => {
    const diagnostics = engine.check({ active: 'e => true', orgName: 'e => (', roleName: '7' });
    expect(diagnostics.map((d) => d.script)).toEqual(['orgName', 'roleName']);
  });

  it('reports an exception in top-level code with its line', () => {
    const [d] = engine.check(active('var table = {};\nvar x = table.missing.field;\n(entry => true)'));
    expect(d).toMatchObject({ line: 2, message: expect.stringContaining("cannot read property 'field' of undefined") });
  });
});
