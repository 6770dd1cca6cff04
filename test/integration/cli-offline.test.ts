/**
 * The offline commands of the CLI, run in-process (runCli) on temp stores, with no directory:
 * the bundled sample directory, LDIF import and export, script test cases from a config file.
 * (Captures, comparisons and --source against slapd: cli-offline-slapd.test.ts.)
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliInProcess, type Outcome } from './cli-runner';

const FILTER = '(&(objectClass=inetOrgPerson)(uid=?))';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-cli-offline-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Runs the CLI (in-process) with its store in the test's temp folder. */
function ldapSync(args: string[]): Promise<Outcome> {
  return runCliInProcess(args, { cwd: dir, env: { ...process.env, LDAP_SYNC_DB: path.join(dir, 'store.sqlite') } });
}

const json = (r: Outcome) => JSON.parse(r.stdout);

/** Writes a config file and applies it; the apply must succeed. */
async function apply(doc: unknown): Promise<void> {
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(doc, null, 2));
  const r = await ldapSync(['config', 'apply', 'config.json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

/** LDIF with what a round trip must keep: UTF-8 as base64, a folded line, a binary value, multi-valued and optioned attributes. */
const LDIF = [
  'version: 1',
  '',
  'dn: uid=ann,ou=people,dc=example,dc=com',
  'objectClass: inetOrgPerson',
  'uid: ann',
  `cn:: ${Buffer.from('Åsa Øvrebø').toString('base64')}`,
  'cn;lang-en: Asa Ovrebo',
  'sn: Øvrebø',
  'mail: ann@example.com',
  'mail: asa@example.com',
  'description: a long line that an LDIF writer may fold, and a reader must join again without the leading spa',
  ' ce of the continuation',
  'employeeType: staff',
  'jpegPhoto:: /9j/4AAQSkZJRgABAQ==',
  '',
  'dn: uid=bob,ou=people,dc=example,dc=com',
  'objectClass: inetOrgPerson',
  'uid: bob',
  'cn: Bob',
  'sn: B',
  'employeeType: intern',
  '',
].join('\n');

/** The LDIF without comment lines (the export's header names the snapshot and its origin). */
const withoutComments = (text: string) => text.split('\n').filter((l) => !l.startsWith('#')).join('\n');

// Each test runs several commands, some with QuickJS: allow for a busy machine.
const SLOW = { timeout: 120_000 };

describe('the bundled sample directory from the command line', SLOW, () => {
  it('simulate "Sample directory" on a fresh store installs the sample, says so on stderr, and simulates it', async () => {
    const r = await ldapSync(['simulate', 'Sample directory', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Installed the bundled sample directory as the offline server "Sample directory" \(.*\)\. Remove it with: ldap-sync sample remove\n$/);
    const run = json(r);
    expect(run).toMatchObject({ runId: expect.stringMatching(UUID), server: 'Sample directory', kind: 'simulate', status: 'simulated', source: 'Sample directory (Fjordline Instruments)', error: null });
    expect(run.counts.created).toBeGreaterThan(0);
    // Creations, and an error for each active person without an email (a new user needs one).
    expect(run.changes).toHaveLength(run.counts.created + run.counts.errors);

    // Installed once: the next run says nothing more; a sync of an offline server is refused.
    const [again, sync, withSource, preview, servers] = await Promise.all([
      ldapSync(['simulate', 'sample directory']),
      ldapSync(['sync', 'Sample directory']),
      ldapSync(['sync', 'Sample directory', '--source', 'Sample directory (Fjordline Instruments)']),
      ldapSync(['preview', 'Sample directory', '--search', 'hdubois', '--json']),
      ldapSync(['server', 'list', '--json']),
    ]);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
    expect(again.stdout).toMatch(/^Simulated "Sample directory": nothing was changed \(run [0-9a-f-]{36}\)\.\n/);
    expect(again.stdout).toContain('  Source: the snapshot "Sample directory (Fjordline Instruments)" (the directory was not read)\n');
    expect(sync.code).toBe(1);
    expect(sync.stderr).toMatch(/^error: "Sample directory" is offline: it can only be simulated\./);
    expect(withSource.code).toBe(2);
    expect(withSource.stderr).toMatch(/^error: a sync reads the live directory, never a snapshot: "--source" is for simulate and preview/);
    expect(withSource.stderr).toContain('Usage: ldap-sync sync NAME');
    expect(preview.code).toBe(0);
    expect(json(preview).rows).toMatchObject([{ username: 'hdubois', org: 'Fjordline Berlin', errors: [] }]);
    expect(json(servers)).toMatchObject([{ name: 'Sample directory', offline: true }]);
    // Nothing was synchronized.
    expect(json(await ldapSync(['users', '--json']))).toEqual([]);
  });

  it('installs and removes with sample install and sample remove', async () => {
    const [installed, twice] = [await ldapSync(['sample', 'install', '--json']), await ldapSync(['sample', 'install'])];
    expect(installed.code).toBe(0);
    expect(json(installed)).toEqual({ installed: true, server: 'Sample directory', serverId: expect.stringMatching(UUID), snapshot: 'Sample directory (Fjordline Instruments)', entries: 322 });
    expect(twice.stdout).toBe('The sample directory is already installed as "Sample directory". Remove it with: ldap-sync sample remove\n');
    const list = json(await ldapSync(['snapshot', 'list', '--json']));
    expect(list).toMatchObject([{ name: 'Sample directory (Fjordline Instruments)', origin: 'sample', entries: 322, usedBy: ['Sample directory'] }]);
    const refused = await ldapSync(['snapshot', 'delete', 'Sample directory (Fjordline Instruments)']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is the only source of the offline server "Sample directory"/);

    const removed = await ldapSync(['sample', 'remove']);
    expect(removed).toEqual({ code: 0, stdout: 'Removed the sample directory: its server, snapshot and organizations (the roles stay).\n', stderr: '' });
    const [servers, snapshots, again] = await Promise.all([ldapSync(['server', 'list', '--json']), ldapSync(['snapshot', 'list', '--json']), ldapSync(['sample', 'remove', '--json'])]);
    expect(json(servers)).toEqual([]);
    expect(json(snapshots)).toEqual([]);
    expect(json(again)).toEqual({ removed: false });
    // A sync does not install the sample: there is no such server.
    const sync = await ldapSync(['sync', 'Sample directory']);
    expect(sync.code).toBe(1);
    expect(sync.stderr).toMatch(/^error: No server named "Sample directory"/);
  });
});

describe('ldap-sync snapshot import, export, list and delete', SLOW, () => {
  it('round-trips: the export of an import re-imports to the same entries and the same LDIF', async () => {
    await writeFile(path.join(dir, 'people.ldif'), LDIF);
    const imported = await ldapSync(['snapshot', 'import', 'people.ldif', '--name', 'People']);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^Imported people\.ldif as the snapshot "People" \(LDIF people\.ldif, 2 entries, .* UTC\)\.\n/);

    const first = await ldapSync(['snapshot', 'export', 'people']);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/^# Snapshot "People", imported from people\.ldif: 2 entries\.\nversion: 1\n\ndn: uid=ann,ou=people,dc=example,dc=com\n/);
    await writeFile(path.join(dir, 'exported.ldif'), first.stdout);
    const again = await ldapSync(['snapshot', 'import', 'exported.ldif', '--name', 'Copy', '--json']);
    expect(again.code).toBe(0);
    expect(json(again)).toMatchObject({ name: 'Copy', origin: 'ldif', fileName: 'exported.ldif', entries: 2, usedBy: [] });

    const [second, toFile, list, text] = await Promise.all([
      ldapSync(['snapshot', 'export', 'Copy']),
      ldapSync(['snapshot', 'export', 'Copy', '--output', 'copy.ldif', '--json']),
      ldapSync(['snapshot', 'list', '--json']),
      ldapSync(['snapshot', 'list']),
    ]);
    expect(withoutComments(second.stdout)).toBe(withoutComments(first.stdout));
    expect(second.stdout).toContain('jpegPhoto:: /9j/4AAQSkZJRgABAQ==\n');
    expect(second.stdout).toContain(`cn:: ${Buffer.from('Åsa Øvrebø').toString('base64')}\n`);
    expect(json(toFile)).toEqual({ snapshot: 'Copy', file: path.join(dir, 'copy.ldif'), entries: 2 });
    expect(await readFile(path.join(dir, 'copy.ldif'), 'utf8')).toBe(second.stdout);
    // No temporary file is left next to the output.
    expect((await readdir(dir)).filter((f) => f.includes('partial'))).toEqual([]);
    const listed = json(list) as { name: string; entries: number; origin: string }[];
    expect(listed.map((s) => [s.name, s.entries, s.origin])).toEqual([
      ['Copy', 2, 'ldif'],
      ['People', 2, 'ldif'],
    ]);
    expect(text.stdout.split('\n')[0]).toMatch(/^NAME\s+ORIGIN\s+ENTRIES\s+SERVER\s+BASE\s+FILTER\s+CAPTURED\s+USED BY$/);
    expect(text.stdout).toMatch(/^People\s+LDIF people\.ldif\s+2\s+–\s+–\s+–\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+–$/m);

    const deleted = await ldapSync(['snapshot', 'delete', 'copy']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/^Deleted the snapshot "Copy" \(LDIF exported\.ldif, 2 entries, .*\)\.\n$/);
    const [missing, taken] = await Promise.all([ldapSync(['snapshot', 'export', 'Copy']), ldapSync(['snapshot', 'import', 'people.ldif', '--name', 'PEOPLE'])]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: No snapshot is named "Copy". List them with: ldap-sync snapshot list\n');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^error: A snapshot named "PEOPLE" already exists/);
  });

  it('refuses a malformed file with its name and line number, exit 1, importing nothing', async () => {
    const bad = LDIF.replace('employeeType: intern', 'changetype: modify');
    const line = bad.split('\n').indexOf('changetype: modify') + 1;
    await writeFile(path.join(dir, 'bad.ldif'), bad);
    const [text, asJson, missing, noName] = await Promise.all([
      ldapSync(['snapshot', 'import', 'bad.ldif', '--name', 'Bad']),
      ldapSync(['snapshot', 'import', 'bad.ldif', '--name', 'Bad', '--json']),
      ldapSync(['snapshot', 'import', 'nope.ldif', '--name', 'Bad']),
      ldapSync(['snapshot', 'import', 'bad.ldif']),
    ]);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('');
    expect(text.stderr).toBe(`error: bad.ldif, line ${line}: change records are not supported: export content records (e.g. ldapsearch -LLL). Nothing was imported.\n`);
    expect(asJson.code).toBe(1);
    expect(json(asJson).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining(`bad.ldif, line ${line}:`) });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: No file nope\.ldif\./);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/^error: give the snapshot a name: --name NAME\n\nUsage: ldap-sync snapshot import FILE/);
    expect(json(await ldapSync(['snapshot', 'list', '--json']))).toEqual([]);
  });

  it('previews and simulates a server over an imported snapshot with --source', async () => {
    await writeFile(path.join(dir, 'people.ldif'), LDIF);
    expect((await ldapSync(['snapshot', 'import', 'people.ldif', '--name', 'People'])).code).toBe(0);
    // An unreachable server: --source never connects to it.
    await apply({
      servers: [{ name: 'Corp', url: 'ldap://127.0.0.1:9/ou=people,dc=example,dc=com', bindAnonymously: true, searchFilter: FILTER, createUsers: true, defaultOrg: 'Staff' }],
      organizations: [{ name: 'Staff', auth: { ldapServer: 'Corp' } }],
    });
    const [preview, simulate, unknown, text] = await Promise.all([
      ldapSync(['preview', 'Corp', '--source', 'people', '--json']),
      ldapSync(['simulate', 'Corp', '--source', 'People', '--json']),
      ldapSync(['simulate', 'Corp', '--source', 'Nope']),
      ldapSync(['preview', 'Corp', '--source', 'People']),
    ]);
    expect(preview.code).toBe(0);
    expect(json(preview)).toMatchObject({ total: 2, rows: [{ username: 'ann', email: 'ann@example.com', lastName: 'Øvrebø' }, { username: 'bob' }] });
    expect(text.stdout).toMatch(/^Source: the snapshot "People" \(the directory was not read\)\n/);
    expect(simulate.code).toBe(0);
    // bob has no mail: a new user needs one, so his row is an error.
    expect(json(simulate)).toMatchObject({ status: 'simulated', source: 'People', entries: 2, counts: { created: 1, errors: 1 } });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('error: No snapshot is named "Nope". List them with: ldap-sync snapshot list\n');
  });
});

describe('ldap-sync script test', SLOW, () => {
  const entry = (employeeType: string) => ({ dn: `uid=x,ou=people,dc=example,dc=com`, attributes: { uid: ['x'], employeeType: [employeeType] } });
  const server = (internExpected: boolean) => ({
    name: 'Corp',
    url: 'ldap://127.0.0.1:9/ou=people,dc=example,dc=com',
    bindAnonymously: true,
    searchFilter: FILTER,
    scripts: {
      active: "function(entry) { return entry.employeeType != 'intern'; }",
      roleName: "function(entry) { return entry.employeeType == 'staff' ? ['Desktop User'] : []; }",
    },
    scriptTests: [
      { script: 'active', name: 'interns are inactive', entry: entry('intern'), expected: internExpected },
      { script: 'active', name: 'staff are active', entry: entry('staff'), expected: true },
      { script: 'roleName', name: 'staff are desktop users', entry: entry('staff'), expected: ['desktop user'] },
    ],
  });

  it('passes (exit 0), then fails (exit 1) once the config changes an expected value, and refuses a server without cases', async () => {
    await apply({ servers: [server(false), { ...server(false), name: 'Bare', scriptTests: [] }] });
    const [passed, asJson] = await Promise.all([ldapSync(['script', 'test', 'corp']), ldapSync(['script', 'test', 'Corp', '--json'])]);
    expect(passed).toEqual({
      code: 0,
      stdout:
        'Script test cases of "Corp":\n' +
        '✓ Active     interns are inactive: false\n' +
        '✓ Active     staff are active: true\n' +
        '✓ Role name  staff are desktop users: "Desktop User"\n' +
        '\nAll 3 passed.\n',
      stderr: '',
    });
    expect(json(asJson)).toMatchObject({ server: 'Corp', total: 3, passed: 3, failed: 0 });

    await apply({ servers: [server(true)] });
    const [failed, failedJson] = await Promise.all([ldapSync(['script', 'test', 'Corp']), ldapSync(['script', 'test', 'Corp', '--json'])]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('✗ Active     interns are inactive: expected true, got false\n');
    expect(failed.stdout).toContain('✓ Active     staff are active: true\n');
    expect(failed.stdout).toMatch(/\n1 of 3 failed, 2 passed\.\n$/);
    expect(failedJson.code).toBe(1);
    expect(json(failedJson).results[0]).toMatchObject({ script: 'active', name: 'interns are inactive', pass: false, expected: true, actual: false });

    // A script that throws fails its cases with the error.
    await apply({ servers: [{ ...server(false), scripts: { ...server(false).scripts, active: "function(entry) { throw new Error('boom'); }" } }] });
    const thrown = await ldapSync(['script', 'test', 'Corp']);
    expect(thrown.code).toBe(1);
    expect(thrown.stdout).toMatch(/^✗ Active     interns are inactive: expected false, error: .*boom.*\(line 1\)$/m);

    const [empty, allowed] = await Promise.all([ldapSync(['script', 'test', 'Bare']), ldapSync(['script', 'test', 'Bare', '--allow-empty'])]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^error: "Bare" has no saved script test cases: nothing was checked\. .*--allow-empty\.\n$/);
    expect(allowed).toEqual({ code: 0, stdout: '"Bare" has no saved script test cases: nothing to check.\n', stderr: '' });
  });

  it('exports the test cases with the config, and the export applies to another store unchanged', async () => {
    await apply({ servers: [server(false)] });
    const exported = await ldapSync(['config', 'export']);
    expect(exported.code).toBe(0);
    const doc = json(exported);
    expect(doc.servers[0]).toMatchObject({ name: 'Corp', offline: false, snapshot: null, scriptTests: server(false).scriptTests.map((c) => ({ id: expect.stringMatching(UUID), ...c })) });
    await writeFile(path.join(dir, 'exported.json'), exported.stdout);
    const again = await ldapSync(['config', 'apply', 'exported.json', '--json']);
    expect(json(again).servers).toEqual([{ name: 'Corp', action: 'unchanged', passwordCleared: false }]);
  });
});
