import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ServerScripts } from '../../src-shared/domain/mapping';
import type { PreviewResult } from '../../src-shared/domain/preview';
import { startSlapd, type Slapd } from '../rig/slapd';
import { openTestApp, preview, rigDraft, type TestApp } from './preview-fixture';

let slapd: Slapd;
let t: TestApp;

beforeAll(async () => {
  slapd = await startSlapd({ users: 20, logOps: false });
});
afterAll(() => slapd?.stop());
beforeEach(async () => {
  t = await openTestApp();
});
afterEach(() => t.close());

const TRUE = 'function(entry) { return true; }';
const run = (s: Partial<ServerScripts>, pageSize = 10) =>
  preview(t.app, slapd, rigDraft(slapd, { scripts: { active: TRUE, orgName: null, roleName: null, ...s } }), { pageSize });
const codesOf = (r: PreviewResult) => r.rows.map((row) => row.errors.map((e) => e.code));

/** A healthy preview: every row active, no problem. */
async function expectHealthy(): Promise<void> {
  const r = await run({ active: "function(entry) { return entry.employeeType != 'intern'; }" });
  expect(r.rows).toHaveLength(10);
  expect(r.rows.every((row) => row.errors.length === 0)).toBe(true);
  expect(r.rows.filter((row) => row.active === false)).toHaveLength(3);
}

describe('script failures become row errors, never a failed preview', () => {
  it('a thrown exception only on the entries that throw, with its line', async () => {
    const r = await run({ active: "function(entry) {\n  if (entry.uid == 'user00003') throw new Error('no good');\n  return true;\n}" });
    const bad = r.rows[2];
    expect(bad.active).toBeNull();
    expect(bad.errors).toEqual([expect.objectContaining({ code: 'SCRIPT_THROWN', script: 'active', line: 2, message: expect.stringContaining('no good') })]);
    expect(r.rows.filter((row) => row.errors.length === 0)).toHaveLength(9);
    expect(r.summary).toMatchObject({ active: 9, errors: 1 });
  });

  it('a wrong return type: an Active script returning a string, a Role script returning a number', async () => {
    const r = await run({ active: "function(entry) { return 'yes'; }", roleName: 'function(entry) { return 42; }' });
    expect(codesOf(r)[0]).toEqual(['SCRIPT_RETURN_TYPE', 'SCRIPT_RETURN_TYPE']);
    expect(r.rows[0]).toMatchObject({ active: null, roles: [] });
  });

  it('a syntax error once for the page with its line and column, not on every row, and as a diagnostic', async () => {
    const r = await run({ orgName: 'function(entry) {\n  return entry.o +;\n}' });
    expect(r.scriptFailures).toEqual([expect.objectContaining({ script: 'orgName', code: 'SCRIPT_SYNTAX', line: 2, column: expect.any(Number), entries: r.summary.entries })]);
    expect(r.rows.every((row) => row.errors.length === 0)).toBe(true);
    expect(r.summary.errors).toBe(0);
    expect(r.rows.every((row) => row.active === true)).toBe(true);
    expect(r.diagnostics).toEqual([expect.objectContaining({ script: 'orgName', severity: 'error', line: 2 })]);
  });

  it('a script that is not a function, said once', async () => {
    const r = await run({ active: '42' });
    expect(r.rows[0].errors).toEqual([]);
    expect(r.scriptFailures.map((f) => f.code)).toEqual(['SCRIPT_NOT_FUNCTION']);
    expect(r.scriptFailures[0].message).toMatch(/Active script evaluates to a number/);
    expect(r.diagnostics.map((d) => d.script)).toEqual(['active']);
  });
});

describe('hostile scripts are contained, and the next preview works normally', () => {
  it('cannot reach require, process or the host through constructor chains', async () => {
    const r = await run({
      active: "function(entry) { var g = (function(){}).constructor('return this')(); return typeof require == 'undefined' && typeof process == 'undefined' && typeof g.process == 'undefined'; }",
      orgName: "function(entry) { return entry.constructor.constructor('return process')().env.HOME; }",
    });
    expect(r.rows.every((row) => row.active === true)).toBe(true);
    expect(r.rows.every((row) => row.org === null && row.errors.some((e) => e.code === 'SCRIPT_THROWN' && e.script === 'orgName'))).toBe(true);
    await expectHealthy();
  });

  it('a runaway loop ends with a time-limit error on its rows', async () => {
    const started = Date.now();
    const r = await run({ active: 'function(entry) { while (true) {} }' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.rows.every((row) => row.active === null && row.errors.length === 1)).toBe(true);
    expect(new Set(codesOf(r).flat())).toContain('SCRIPT_TIMEOUT');
    // The message names the setting that raises the limit.
    expect(r.rows.flatMap((row) => row.errors).find((e) => e.code === 'SCRIPT_TIMEOUT')?.message).toMatch(/LDAP_SYNC_SCRIPT_TIME_MS/);
    await expectHealthy();
  });

  it('deep recursion ends with a stack error', async () => {
    const r = await run({ active: 'function(entry) { function f(n) { return f(n + 1) + 1; } return f(0) > 0; }' }, 10);
    expect(new Set(codesOf(r).flat())).toContain('SCRIPT_STACK');
    expect(r.rows.every((row) => row.active === null)).toBe(true);
    await expectHealthy();
  });

  it('a string doubled forever ends with a memory error, and the memory comes back', async () => {
    const r = await run({ active: "function(entry) { var s = 'x'; while (true) { s = s + s; } }" }, 10);
    expect(new Set(codesOf(r).flat())).toContain('SCRIPT_MEMORY');
    expect(r.rows.every((row) => row.active === null)).toBe(true);
    await expectHealthy();
    if (global.gc) global.gc();
    expect(process.memoryUsage().rss).toBeLessThan(1.5 * 1024 ** 3);
  });
});
