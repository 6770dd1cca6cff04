import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCliInProcess, type Outcome } from './cli-runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, type Slapd } from '../rig/slapd';



let slapd: Slapd;
let dir: string;

function ldapSync(args: string[]): Promise<Outcome> {
  return runCliInProcess(args, { cwd: dir, env: { ...process.env, LDAP_SYNC_DB: path.join(dir, 'store.sqlite'), CORP_BIND_PASSWORD: slapd.syncPw } });
}

const corp = (extra: Record<string, unknown> = {}) => ({
  name: 'Corp',
  url: `${slapd.url}/${slapd.extrasDn}`,
  bindDn: slapd.syncDn,
  bindPassword: { env: 'CORP_BIND_PASSWORD' },
  searchFilter: '(&(objectClass=inetOrgPerson)(mail=?))',
  ...extra,
});

async function apply(servers: Record<string, unknown>[], file = 'servers.json'): Promise<Outcome> {
  await writeFile(path.join(dir, file), JSON.stringify({ servers }, null, 2));
  return ldapSync(['config', 'apply', file]);
}

beforeAll(async () => {
  [slapd, dir] = await Promise.all([startSlapd({ users: 5, extras: true, logOps: false }), mkdtemp(path.join(os.tmpdir(), 'lss-cli-preview-'))]);
});
afterAll(async () => {
  await slapd?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('ldap-sync preview', () => {
  it('prints the preview as JSON: total, page and rows with dn, username, email, names, active, org, roles and errors', async () => {
    const applied = await apply([corp({ scripts: { active: "function(entry) { return entry.employeeType != 'contractor'; }" } })]);
    expect(applied.stderr).toBe('');
    const r = await ldapSync(['preview', 'corp', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ total: 3, page: 1, pageSize: 50, hasMore: false });
    expect(out.rows).toHaveLength(5);
    expect(out.rows[0]).toEqual({
      dn: `uid=multi,${slapd.extrasDn}`,
      entryIndex: 0,
      username: 'multi.one@example.org',
      email: 'multi.one@example.org',
      firstName: 'Maria',
      lastName: 'Multi',
      active: true,
      org: null,
      roles: [],
      errors: [{ code: 'DUPLICATE_USERNAME', message: expect.any(String) }],
    });
    expect(out.rows.find((row: { username: string }) => row.username === 'two@example.org')).toMatchObject({ active: false, errors: [] });
  });

  it('searches one username, pages, and prints a table with a summary line', async () => {
    await apply([corp()]);
    const [one, none, page2, text] = await Promise.all([
      ldapSync(['preview', 'Corp', '--search', 'two@example.org', '--json']).then((r) => JSON.parse(r.stdout)),
      ldapSync(['preview', 'Corp', '--search', '*)(uid=*', '--json']).then((r) => JSON.parse(r.stdout)),
      ldapSync(['preview', 'Corp', '--page', '2', '--page-size', '10', '--json']).then((r) => JSON.parse(r.stdout)),
      ldapSync(['preview', 'Corp']),
    ]);
    expect(one.total).toBe(1);
    expect(one.rows.map((row: { username: string }) => row.username)).toEqual(['two@example.org']);
    expect(none).toMatchObject({ total: 0, rows: [] });
    expect(page2).toMatchObject({ page: 2, pageSize: 10, rows: [] });

    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^DN\s+USERNAME\s+EMAIL\s+FIRST NAME\s+LAST NAME\s+ACTIVE\s+ORG\s+ROLES\s+PROBLEMS$/);
    expect(text.stdout).toContain('DUPLICATE_USERNAME');
    expect(text.stdout).toMatch(/^Page 1 of 1, entries 1-3 of 3 matching the search\. This page: 3 entries, 5 users, 5 active, 0 inactive, 2 with errors, scripts [\d.]+ ms$/m);
    expect(text.stdout).toContain('Equivalent ldapsearch: ldapsearch');
  });

  it('searches usernames by prefix or contained text, lists only the rows with problems, and names missing organizations once', async () => {
    await apply([corp({ scripts: { active: 'e => true', orgName: "e => 'Not Yet'" } })]);
    const [prefix, contains, bad, problems, text] = await Promise.all([
      ldapSync(['preview', 'Corp', '--search', 'two@', '--match', 'prefix', '--json']).then((r) => JSON.parse(r.stdout)),
      ldapSync(['preview', 'Corp', '--search', '@example.org', '--match', 'contains', '--json']).then((r) => JSON.parse(r.stdout)),
      ldapSync(['preview', 'Corp', '--search', 'x', '--match', 'fuzzy']),
      ldapSync(['preview', 'Corp', '--problems-only', '--json']).then((r) => JSON.parse(r.stdout)),
      ldapSync(['preview', 'Corp', '--problems-only']),
    ]);
    expect(prefix).toMatchObject({ match: 'prefix', filter: '(&(objectClass=inetOrgPerson)(mail=two@*))' });
    expect(prefix.rows.map((row: { username: string }) => row.username)).toEqual(['two@example.org']);
    expect(contains.filter).toBe('(&(objectClass=inetOrgPerson)(mail=*@example.org*))');
    expect(contains.total).toBe(3);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--match must be one of exact, prefix, contains, not "fuzzy"');
    expect(problems.problemsOnly).toBe(true);
    expect(problems.missing).toEqual({ organizations: ['Not Yet'], roles: [] });
    expect(problems.rows.every((row: { errors: unknown[] }) => row.errors.length > 0)).toBe(true);
    expect(text.stdout).toContain('Only rows with problems are listed.');
    expect(text.stdout).toContain('Warning: not created yet: organization "Not Yet"');
    expect(text.stdout).toContain('warning UNKNOWN_ORG');
  });

  it('refuses a bad page size as a usage error and an unknown server in one line', async () => {
    const [bad, missing, help] = await Promise.all([ldapSync(['preview', 'Corp', '--page-size', '30']), ldapSync(['preview', 'Nope']), ldapSync(['help', 'preview'])]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--page-size must be one of 10, 25, 50, 100, 200/);
    expect(bad.stderr).toContain('Usage: ldap-sync preview NAME');
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(help.stdout).toContain('Usage: ldap-sync preview NAME [--search TEXT] [--match MODE] [--problems-only] [--page N] [--page-size K]');
  });
});

describe('ldap-sync config apply with scripts', () => {
  it('refuses a script with a syntax error with its JSON path, line and column, writing nothing', async () => {
    const fresh = path.join(dir, 'fresh.sqlite');
    await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ servers: [corp({ scripts: { active: 'function(entry) {\n  return entry.uid ==;\n}' } })] }));
    const r = await runCliInProcess(['--db', fresh, 'config', 'apply', 'bad.json'], { cwd: dir, env: process.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/servers\[0\]\.scripts\.active: Active script, line 2, column \d+: /);
    await expect(stat(fresh)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('exports the mapping and the scripts', async () => {
    const scripts = { active: 'function(entry) { return true; }', orgName: 'function(entry) { return entry.o; }', roleName: null };
    await apply([corp({ mapping: { email: 'mail', firstName: 'cn', lastName: '' }, scripts })]);
    const exported = JSON.parse((await ldapSync(['config', 'export'])).stdout);
    expect(exported.servers[0]).toMatchObject({ mapping: { email: 'mail', firstName: 'cn', lastName: '' }, scripts });
  });
});
