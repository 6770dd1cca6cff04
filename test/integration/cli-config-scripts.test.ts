import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from './cli-runner';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `config apply` of a one-server config whose Active script is `active`, in a fresh folder. */
async function applyWithActive(active: string) {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-config-scripts-'));
  const config = { servers: [{ name: 'Corp', url: 'ldap://127.0.0.1:1/dc=example,dc=com', bindAnonymously: true, searchFilter: '(uid=?)', scripts: { active } }] };
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  const env = { ...process.env, LDAP_SYNC_DB: path.join(dir, 'store.sqlite'), LDAP_SYNC_SCRIPT_TIME_MS: '200' };
  return runCliInProcess(['config', 'apply', 'config.json'], { cwd: dir, env });
}

describe('ldap-sync config apply compiles the scripts in the script worker', () => {
  it('refuses a script that does not compile, naming the line and column, and opens no store', async () => {
    const r = await applyWithActive('function(entry) {\n  return entry.uid ==;\n}');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/scripts\.active: Active script, line 2, column \d+: Syntax error/);
    expect(existsSync(path.join(dir, 'store.sqlite'))).toBe(false);
  });

  it('refuses a script whose top-level code hangs in a native built-in, within seconds', async () => {
    const t = performance.now();
    const r = await applyWithActive("const s = 'a'.repeat(2000000); s.indexOf(s.slice(0, 1000000) + 'x');\n(function(entry) { return true; })");
    expect(performance.now() - t).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Active script's top-level code ran longer than its 200 ms time limit/);
  });

  it('applies scripts that compile', async () => {
    const r = await applyWithActive("function(entry) { return entry.employeeType != 'terminated'; }");
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
