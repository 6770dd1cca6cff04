import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// scripts/audit-electron.mjs (`npm run audit:electron`) on small apps written here: it runs the real
// Electronegativity and fails on what the allow-list does not justify. CI runs it on out/ itself.
const ROOT = join(__dirname, '../..');
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ldap-sync-audit-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A folder holding `files`, and an allow-list file holding `allow`. */
function fixture(name: string, files: Record<string, string>, allow: unknown): { input: string; allowFile: string } {
  const input = join(work, name);
  mkdirSync(input);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(input, file), text);
  const allowFile = join(work, `${name}-allow.json`);
  writeFileSync(allowFile, JSON.stringify(allow));
  return { input, allowFile };
}

function audit(input: string, allowFile: string) {
  return spawnSync(process.execPath, [join(ROOT, 'scripts/audit-electron.mjs'), '--input', input, '--allow', allowFile], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
}

const UNSAFE_WINDOW = `const { BrowserWindow } = require('electron');
const win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, preload: 'preload.js' } });
win.loadURL('app://renderer/index.html');
`;
/** The findings every app without a CSP, navigation limits and a permission handler gets. */
const GLOBALS = ['CSP_GLOBAL_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK', 'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK'];

describe('npm run audit:electron', () => {
  it('fails on findings the allow-list does not justify, shows the justified ones (file patterns too), and names stale entries', () => {
    const { input, allowFile } = fixture('unsafe', { 'main.js': UNSAFE_WINDOW }, [
      // `*` stands for a hashed chunk name's varying part.
      { check: 'PRELOAD_JS_CHECK', file: 'mai*.js', why: 'reviewed: exposes two functions' },
      { check: 'SANDBOX_JS_CHECK', file: 'window-that-was-removed.js', why: 'no longer true' },
    ]);
    const result = audit(input, allowFile);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/FINDING {4}NODE_INTEGRATION_JS_CHECK \(\w+\/\w+\) {2}main\.js:2:\d+/);
    expect(result.stdout).toMatch(/FINDING {4}CONTEXT_ISOLATION_JS_CHECK .* main\.js:2:\d+/);
    for (const check of GLOBALS) expect(result.stdout).toContain(`FINDING    ${check}`);
    expect(result.stdout).toMatch(/justified {2}PRELOAD_JS_CHECK {2}main\.js:2:\d+ {2}reviewed: exposes two functions/);
    expect(result.stdout).not.toMatch(/FINDING {4}PRELOAD_JS_CHECK/);
    expect(result.stdout).toContain('STALE      SANDBOX_JS_CHECK  window-that-was-removed.js: this allow-list entry matches no finding any more; remove it.');
  });

  it('passes when every finding is justified', () => {
    const allow = GLOBALS.map((check) => ({ check, file: 'N/A', why: 'a library without a window' }));
    const { input, allowFile } = fixture('library', { 'lib.js': 'export function add(a, b) { return a + b; }\n' }, allow);
    const result = audit(input, allowFile);
    expect(result.stdout).toContain('3 finding(s), 3 justified');
    expect(result.stdout).not.toMatch(/FINDING|STALE|UNPARSED/);
    expect(result.status).toBe(0);
  });

  it('refuses an allow-list entry without a justification before auditing anything', () => {
    const { input, allowFile } = fixture('unjustified', { 'lib.js': '' }, [{ check: 'CSP_GLOBAL_CHECK', file: 'N/A', why: ' ' }]);
    const result = audit(input, allowFile);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(`${allowFile}: entry 1 needs a non-empty "why".`);
  });
});
