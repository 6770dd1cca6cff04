import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyConfig } from '../../src-main/config/apply';
import { exportConfig } from '../../src-main/config/export';
import { parseConfig, type ParseOutcome, type ParsedConfig } from '../../src-main/config/parse-config';
import { openStore, type Store } from '../../src-main/store/db';
import { findServerByName, listServers, listTrusted, toServerView } from '../../src-main/store/servers-repo';
import { insertSnapshot, markSnapshotReady } from '../../src-main/store/snapshots-repo';
import { AppError } from '../../src-shared/errors';

const URL = 'ldap://sample.example/ou=people,dc=example,dc=com';
const FILTER = '(&(objectClass=inetOrgPerson)(uid=?))';
const ENTRY = { dn: 'uid=jdoe,ou=people,dc=example,dc=com', attributes: { uid: ['jdoe'], employeeType: ['staff'], l: ['Oslo'] } };
const TESTS = [
  { script: 'active', name: 'staff stay active', entry: ENTRY, expected: true },
  { script: 'orgName', name: 'office', entry: ENTRY, expected: 'Oslo' },
  { script: 'roleName', name: 'no roles', entry: ENTRY, expected: [] },
];
/** An offline server: no bind DN, a snapshot, test cases. */
const offline = (extra: Record<string, unknown> = {}) => ({ name: 'Lab', url: URL, searchFilter: FILTER, offline: true, snapshot: 'People', scriptTests: TESTS, ...extra });

let dir: string;
let stores: Store[];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-config-offline-'));
  stores = [];
});
afterEach(async () => {
  for (const s of stores) s.close();
  await rm(dir, { recursive: true, force: true });
});

function store(name = 'store.sqlite'): Store {
  const s = openStore(path.join(dir, name));
  stores.push(s);
  return s;
}

/** A ready (empty) snapshot, as an import or a capture leaves it. */
function addSnapshot(s: Store, name: string): string {
  const row = insertSnapshot(s.db, { name, origin: 'ldif', fileName: `${name}.ldif`, attributes: 'all', status: 'capturing' });
  markSnapshotReady(s.db, row.id, new Date().toISOString());
  return row.id;
}

function parse(doc: unknown): ParseOutcome {
  return parseConfig(JSON.stringify(doc), { baseDir: dir });
}

function config(servers: unknown[]): ParsedConfig {
  const r = parse({ servers });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

function issues(doc: unknown): Record<string, string> {
  const r = parse(doc);
  if (r.ok) throw new Error('expected the file to be refused');
  return Object.fromEntries(r.issues.map((i) => [i.path, i.message]));
}

/** The problems apply refuses a file with, by JSON path. */
function applyIssues(s: Store, servers: unknown[]): Record<string, string> {
  try {
    applyConfig(s.db, config(servers));
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect(err.message).toMatch(/nothing was applied/);
    return Object.fromEntries((err.fields ?? []).map((i) => [i.path, i.message]));
  }
  throw new Error('expected apply to refuse the file');
}

/** The servers of a store without what differs between stores (ids, timestamps, snapshot ids). */
function servers(s: Store) {
  return listServers(s.db).map((row) => {
    const { id: _i, createdAt: _c, updatedAt: _u, snapshotId, ...view } = toServerView(row, listTrusted(s.db, row.id));
    return { ...view, snapshot: snapshotId === null ? null : (s.db.prepare('SELECT name FROM snapshots WHERE id = ?').get(snapshotId) as { name: string }).name };
  });
}

describe('"offline", "snapshot" and "scriptTests" in a config file', () => {
  it('accept an offline server without a bind DN, and its test cases without ids', () => {
    const r = parse({ servers: [offline()] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.servers[0]).toMatchObject({ offline: true, snapshot: 'People', scriptTests: TESTS, draft: { offline: true, bindDn: '' } });
    expect(r.config.servers[0].scriptTests![0]).not.toHaveProperty('id');
    // Without "offline": true, the same server needs its bind DN.
    expect(issues({ servers: [offline({ offline: false })] })).toEqual({ 'servers[0].bindDn': expect.stringContaining('Enter the bind DN') });
    // An offline server still needs a URL that carries the search base.
    expect(issues({ servers: [offline({ url: 'ldap://sample.example' })] })).toEqual({ 'servers[0].url': expect.stringContaining('search base') });
  });

  it('leave the keys out of the parsed server when the file does not have them', () => {
    const r = parse({ servers: [{ name: 'Corp', url: URL, bindAnonymously: true, searchFilter: FILTER }] });
    expect(r.ok && r.config.servers[0]).not.toHaveProperty('offline');
    expect(r.ok && r.config.servers[0]).not.toHaveProperty('snapshot');
    expect(r.ok && r.config.servers[0]).not.toHaveProperty('scriptTests');
  });

  it('report every problem of a test case by its JSON path', () => {
    const found = issues({
      servers: [
        offline({
          snapshot: ' ',
          scriptTests: [
            { script: 'activ', name: 'a', entry: ENTRY, expected: true },
            { script: 'active', name: 'b', entry: ENTRY, expected: 'yes' },
            { script: 'orgName', name: 'c', entry: { dn: 'uid=c', attributes: { l: 'Oslo' } }, expected: 'Oslo' },
            { script: 'roleName', name: 'd', entry: ENTRY },
            { id: 'x', script: 'roleName', name: 'e', entry: ENTRY, expected: ['Auditor'] },
            { id: 'x', script: 'roleName', name: 'f', entry: ENTRY, expected: ['Auditor'] },
            { id: 'y', script: 'roleName', name: 'g', entry: ENTRY, expected: 'Auditor' },
            'staff are active',
            { script: 'active', name: 'h', entry: { ...ENTRY, cn: 'x' }, expected: true, expectd: false },
          ],
        }),
      ],
    });
    expect(found).toEqual({
      'servers[0].snapshot': expect.stringContaining('must be the name of a snapshot'),
      'servers[0].scriptTests[0].script': 'must be "active", "orgName" or "roleName"',
      'servers[0].scriptTests[1].expected': "The active script's expected result must be true or false",
      'servers[0].scriptTests[2].entry.attributes.l': 'must be an array, not a string',
      'servers[0].scriptTests[3].expected': expect.stringMatching(/^is required: true or false \(active\)/),
      'servers[0].scriptTests[5].id': '"x" is already the id of scriptTests[4]',
      'servers[0].scriptTests[6].expected': "The roleName script's expected result must be a list of role names",
      'servers[0].scriptTests[7]': expect.stringMatching(/^must be an object like \{ "script": "active"/),
      'servers[0].scriptTests[8].entry.cn': expect.stringMatching(/^unknown key/),
      'servers[0].scriptTests[8].expectd': 'unknown key (did you mean "expected"?)',
    });
    expect(issues({ servers: [offline({ offline: 'yes', scriptTests: {} })] })).toEqual({
      'servers[0].offline': 'must be true or false, not a string',
      'servers[0].scriptTests': 'must be an array, not an object',
    });
  });
});

describe('applying offline servers, snapshots and test cases', () => {
  it('attaches the named snapshot, keeps the test cases with new ids, and changes nothing when applied again', () => {
    const s = store();
    const people = addSnapshot(s, 'People');
    const r = applyConfig(s.db, config([offline({ snapshot: 'PEOPLE' })]));
    expect(r.servers).toEqual([{ name: 'Lab', action: 'created', passwordCleared: false }]);
    const lab = findServerByName(s.db, 'Lab')!;
    expect(lab).toMatchObject({ offline: true, snapshotId: people, bindDn: '' });
    expect(lab.scriptTests.map(({ id: _id, ...c }) => c)).toEqual(TESTS);
    expect(new Set(lab.scriptTests.map((c) => c.id)).size).toBe(3);
    // The same file again: the cases without ids keep theirs (matched by script and name).
    expect(applyConfig(s.db, config([offline()])).servers[0].action).toBe('unchanged');
    expect(findServerByName(s.db, 'Lab')!.scriptTests).toEqual(lab.scriptTests);
    // A changed expected value updates the server; the case keeps its id.
    const edited = [TESTS[0], { ...TESTS[1], expected: 'Berlin' }, TESTS[2]];
    expect(applyConfig(s.db, config([offline({ scriptTests: edited })])).servers[0].action).toBe('updated');
    const after = findServerByName(s.db, 'Lab')!.scriptTests;
    expect(after.map((c) => c.id)).toEqual(lab.scriptTests.map((c) => c.id));
    expect(after[1].expected).toBe('Berlin');
    // Ids the file gives are kept as they are.
    applyConfig(s.db, config([offline({ scriptTests: [{ id: 'mine', ...TESTS[0] }] })]));
    expect(findServerByName(s.db, 'Lab')!.scriptTests.map((c) => c.id)).toEqual(['mine']);
  });

  it('keeps an existing server\'s offline mode, snapshot and test cases when the file leaves the keys out', () => {
    const s = store();
    addSnapshot(s, 'People');
    applyConfig(s.db, config([offline()]));
    const before = findServerByName(s.db, 'Lab')!;
    const { offline: _o, snapshot: _s, scriptTests: _t, ...bare } = offline();
    // Without "offline": true in the file, the entry is checked as any server's: it needs a bind DN or an anonymous bind.
    expect(issues({ servers: [bare] })).toEqual({ 'servers[0].bindDn': expect.stringContaining('or choose anonymous bind') });
    expect(applyConfig(s.db, config([{ ...bare, bindAnonymously: true, timeoutSeconds: 9 }])).servers[0].action).toBe('updated');
    expect(findServerByName(s.db, 'Lab')).toMatchObject({ timeoutSeconds: 9, offline: true, snapshotId: before.snapshotId, scriptTests: before.scriptTests });
  });

  it('refuses a snapshot the store does not have, and an offline server without one, by JSON path', () => {
    const s = store();
    expect(applyIssues(s, [offline({ snapshot: 'Nope' })])).toEqual({ 'servers[0].snapshot': expect.stringMatching(/^no snapshot named "Nope" in the store; import it first \(ldap-sync snapshot import FILE --name NAME\)/) });
    const { snapshot: _s, ...noSnapshot } = offline();
    expect(applyIssues(s, [noSnapshot])).toEqual({ 'servers[0].snapshot': expect.stringMatching(/^is required: an offline server reads only its snapshot/) });
    expect(applyIssues(s, [offline({ snapshot: null })])).toEqual({ 'servers[0].snapshot': expect.stringMatching(/^must name a snapshot/) });
    expect(listServers(s.db)).toEqual([]);
    // An existing offline server cannot lose its snapshot either.
    addSnapshot(s, 'People');
    applyConfig(s.db, config([offline()]));
    expect(applyIssues(s, [offline({ snapshot: null })])).toEqual({ 'servers[0].snapshot': expect.stringMatching(/^must name a snapshot/) });
    const { offline: _o, snapshot: _n, ...kept } = offline({ bindAnonymously: true });
    expect(applyIssues(s, [{ ...kept, snapshot: null }])).toEqual({ 'servers[0].snapshot': expect.stringMatching(/^must name a snapshot/) });
  });

  it('detaches the snapshot of an online server with "snapshot": null', () => {
    const s = store();
    addSnapshot(s, 'People');
    const online = { name: 'Corp', url: URL, bindAnonymously: true, searchFilter: FILTER };
    applyConfig(s.db, config([{ ...online, snapshot: 'People' }]));
    expect(findServerByName(s.db, 'Corp')!.snapshotId).not.toBeNull();
    expect(applyConfig(s.db, config([{ ...online, snapshot: null }])).servers[0].action).toBe('updated');
    expect(findServerByName(s.db, 'Corp')).toMatchObject({ offline: false, snapshotId: null });
  });
});

describe('exporting offline servers and test cases', () => {
  it('round-trips: export, then apply into a store that has the snapshot, gives the same servers and test cases', () => {
    const source = store('a.sqlite');
    addSnapshot(source, 'People');
    applyConfig(source.db, config([offline(), { name: 'Corp', url: URL, bindAnonymously: true, searchFilter: FILTER, snapshot: 'People' }]));
    const exported = exportConfig(source.db);
    expect(exported.config.servers.find((x) => x.name === 'Lab')).toMatchObject({ offline: true, snapshot: 'People', scriptTests: TESTS.map((t) => ({ id: expect.any(String), ...t })) });
    expect(exported.config.servers.find((x) => x.name === 'Corp')).toMatchObject({ offline: false, snapshot: 'People', scriptTests: [] });
    expect(exported.snapshots).toEqual([{ name: 'People', servers: ['Corp', 'Lab'] }]);

    // Another store refuses the file until the snapshot is there.
    const copy = store('b.sqlite');
    const text = JSON.stringify(exported.config);
    expect(Object.keys(applyIssues(copy, JSON.parse(text).servers))).toEqual(['servers[0].snapshot', 'servers[1].snapshot']);
    addSnapshot(copy, 'People');
    const parsed = parseConfig(text, { baseDir: dir });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(applyConfig(copy.db, parsed.config).servers.map((x) => x.action)).toEqual(['created', 'created']);
    expect(servers(copy)).toEqual(servers(source));
    // And applying the export back onto its own store changes nothing.
    expect(applyConfig(source.db, parsed.config).servers.map((x) => x.action)).toEqual(['unchanged', 'unchanged']);
  });
});
