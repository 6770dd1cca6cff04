/**
 * Script test cases with group memberships: the editor's Groups text (one DN per line), a case made
 * from the raw view keeping the entry's groups, the config file's `groups` key (parsed, refused
 * when malformed, exported), and the cases run with the real QuickJS engine, where the `groups`
 * helpers see each case's groups (a case without them is in no group). The same against slapd,
 * through the preview's raw view: test/integration/nested-groups.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyConfig } from '../../src-main/config/apply';
import { exportConfig } from '../../src-main/config/export';
import { parseConfig } from '../../src-main/config/parse-config';
import { ScriptEngine } from '../../src-main/scripts/engine';
import { runScriptTests } from '../../src-main/scripts/test-cases';
import { openStore } from '../../src-main/store/db';
import { groupsToText, parseGroupsText, testEntryOf } from '../../src-renderer/features/scripts/test-case-model';
import type { ScriptTestCase } from '../../src-shared/domain/script-tests';

const STAFF = 'cn=Staff,ou=groups,dc=example,dc=com';
const ADMINS = 'CN=GG-Admins,OU=Groups,DC=example,DC=com';
const ROLE = `function(entry) {
  const roles = [];
  if (groups.isMember(entry, 'staff')) roles.push('Desktop User');
  if (groups.isMember(entry, 'cn=gg-admins, ou=groups, dc=example, dc=com')) roles.push('Org Admin');
  return roles.concat(groups.names(entry).filter((n) => n.startsWith('Role-')).map((n) => n.slice(5)));
}`;
const scripts = { active: 'e => groups.of(e).length > 0', orgName: null, roleName: ROLE };

const testCase = (id: string, script: ScriptTestCase['script'], expected: ScriptTestCase['expected'], dn: string, groups?: string[]): ScriptTestCase => ({
  id,
  script,
  name: id,
  entry: { dn, attributes: { uid: [id] }, ...(groups ? { groups } : {}) },
  expected,
});

let engine: ScriptEngine;
let dir: string;
beforeAll(async () => {
  engine = await ScriptEngine.create();
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-script-test-groups-'));
});
afterAll(async () => {
  engine?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('test cases with groups', () => {
  it("run each entry in its case's groups, by name and by DN (any spelling), and in none without them", async () => {
    const cases = [
      testCase('ann', 'roleName', ['Desktop User', 'Org Admin', 'Auditor'], 'uid=ann,ou=people,dc=example,dc=com', [STAFF, ADMINS, 'cn=Role-Auditor,ou=groups,dc=example,dc=com']),
      testCase('bob', 'roleName', ['Desktop User'], 'uid=bob,ou=people,dc=example,dc=com', [STAFF]),
      testCase('cid', 'active', false, 'uid=cid,ou=people,dc=example,dc=com'),
      testCase('dee', 'active', true, 'uid=dee,ou=people,dc=example,dc=com', [STAFF]),
      // The same DN as bob's, in other groups: each case sees its own.
      testCase('bob-admin', 'roleName', ['Org Admin'], 'uid=bob,ou=people,dc=example,dc=com', [ADMINS]),
      testCase('bob-wrong', 'roleName', [], 'uid=bob,ou=people,dc=example,dc=com', [STAFF]),
    ];
    const results = await runScriptTests(engine, scripts, cases);
    expect(results.map((r) => [r.id, r.pass, r.actual])).toEqual([
      ['ann', true, ['Desktop User', 'Org Admin', 'Auditor']],
      ['bob', true, ['Desktop User']],
      ['cid', true, false],
      ['dee', true, true],
      ['bob-admin', true, ['Org Admin']],
      ['bob-wrong', false, ['Desktop User']],
    ]);
    expect(results.filter((r) => r.error !== undefined)).toEqual([]);
  });

  it('keep a script error an error', async () => {
    const [r] = await runScriptTests(engine, { ...scripts, roleName: 'e => groups.isMember(e, 42)' }, [testCase('x', 'roleName', [], 'uid=x,dc=example,dc=com', [STAFF])]);
    expect(r.pass).toBe(false);
    expect(r.error).toMatch(/groups\.isMember/);
  });
});

describe("the editor's Groups text", () => {
  it('takes one DN per line, trimmed, blank lines skipped, and writes them back one per line', () => {
    expect(parseGroupsText(`  ${STAFF}  \n\n${ADMINS}\r\n`)).toEqual({ ok: true, groups: [STAFF, ADMINS] });
    expect(parseGroupsText('')).toEqual({ ok: true, groups: [] });
    expect(groupsToText([STAFF, ADMINS])).toBe(`${STAFF}\n${ADMINS}`);
    expect(groupsToText(undefined)).toBe('');
  });

  it('names the line of something that is no DN', () => {
    expect(parseGroupsText(`${STAFF}\nStaff`)).toEqual({ ok: false, message: expect.stringMatching(/^Groups, line 2: write one group DN per line/) });
  });

  it("makes a case from the raw view with the entry's groups, and without when the raw view had none", () => {
    const raw = { dn: 'uid=ann,dc=example,dc=com', attributes: [{ name: 'uid', values: [{ kind: 'text' as const, text: 'ann' }] }] };
    expect(testEntryOf({ ...raw, groups: [STAFF] }).entry).toEqual({ dn: raw.dn, attributes: { uid: ['ann'] }, groups: [STAFF] });
    expect(testEntryOf(raw).entry).toEqual({ dn: raw.dn, attributes: { uid: ['ann'] } });
  });
});

describe('the config file', () => {
  const file = (groups: unknown) => ({
    servers: [
      {
        name: 'Corp',
        url: 'ldap://127.0.0.1:3890/dc=example,dc=com',
        bindAnonymously: true,
        searchFilter: '(&(objectClass=inetOrgPerson)(uid=?))',
        scripts: { roleName: ROLE },
        scriptTests: [{ script: 'roleName', name: 'ann', entry: { dn: 'uid=ann,dc=example,dc=com', attributes: { uid: ['ann'] }, groups }, expected: ['Desktop User'] }],
      },
    ],
  });

  it("reads a case's groups, applies them and exports them as they were", () => {
    const parsed = parseConfig(JSON.stringify(file([STAFF])), { baseDir: dir });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.config.servers[0].scriptTests?.[0].entry.groups).toEqual([STAFF]);
    const store = openStore(path.join(dir, 'a.sqlite'));
    try {
      applyConfig(store.db, parsed.config);
      const exported = exportConfig(store.db).config as { servers: { scriptTests: { entry: unknown }[] }[] };
      expect(exported.servers[0].scriptTests[0].entry).toEqual({ dn: 'uid=ann,dc=example,dc=com', attributes: { uid: ['ann'] }, groups: [STAFF] });
    } finally {
      store.close();
    }
  });

  it('refuses groups that are not a list of DNs, naming the key', () => {
    const parsed = parseConfig(JSON.stringify(file('cn=staff')), { baseDir: dir });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toContainEqual({ path: 'servers[0].scriptTests[0].entry.groups', message: expect.stringMatching(/must be an array/) });
  });
});
