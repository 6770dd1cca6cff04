/**
 * Offline authoring: the bundled sample directory, previews and simulations over snapshots, draft
 * simulations, script test cases, LDIF import/export through the store. Real SQLite; no LDAP here
 * except where a test says so.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../../src-main/app-context';
import { runScriptTests } from '../../src-main/scripts/test-cases';
import { sampleDir } from '../../src-main/services/sample-service';
import type { ScriptTestCase } from '../../src-shared/domain/script-tests';
import type { ServerDraft } from '../../src-shared/domain/server';
import { parseLdif } from '../../src-main/snapshots/ldif';
import { openTestApp, type TestApp } from './preview-fixture';

let t: TestApp;
let app: AppContext;

beforeEach(async () => {
  t = await openTestApp();
  app = t.app;
});
afterEach(async () => {
  await t.close();
});

async function sampleDraft(): Promise<{ id: string; draft: ServerDraft }> {
  const { serverId } = await app.sample.install();
  const { id, password: _p, passwordClearedAt: _c, lastTest: _l, createdAt: _a, updatedAt: _u, ...draft } = app.servers.get(serverId);
  return { id, draft };
}

describe('the bundled sample directory', () => {
  it('is offered on an empty store, installs as an offline server with scripts, organizations and roles, and is removed in one action', async () => {
    expect(app.sample.status()).toEqual({ serverId: null, storeEmpty: true });
    const { serverId } = await app.sample.install();
    expect(app.sample.status()).toEqual({ serverId, storeEmpty: false });
    const server = app.servers.get(serverId);
    expect(server).toMatchObject({ name: 'Sample directory', offline: true, createUsers: true });
    expect(server.scripts.active).toMatch(/^\/\/ Active: terminated staff/);
    const snapshot = app.snapshots.get(server.snapshotId!);
    expect(snapshot.entries).toBe(322);
    const orgs = app.directory.listOrgs();
    expect(orgs.map((o) => o.name)).toContain('Fjordline São Paulo');
    expect(orgs.find((o) => o.name === 'Fjordline Oslo')!.auth).toEqual({ kind: 'ldap', serverId, serverName: 'Sample directory' });
    // Installing twice gives the same server.
    expect((await app.sample.install()).serverId).toBe(serverId);
    // The admin's own organization stays when the sample goes.
    app.directory.createOrg({ name: 'Mine', parentId: null, authServerId: null });
    expect(app.sample.remove()).toEqual({ removed: true });
    expect(app.servers.list()).toEqual([]);
    expect(app.snapshots.list()).toEqual([]);
    expect(app.directory.listOrgs().map((o) => o.name)).toEqual(['Mine']);
    expect(app.directory.listRoles().map((r) => r.name)).toEqual(['Desktop User', 'Org Admin']);
  });

  it('previews from its snapshot: rows with the scripts applied, the filter evaluated locally, username search', async () => {
    const { id, draft } = await sampleDraft();
    const page = await app.preview.run({ sessionId: 's', serverId: id, draft, password: { kind: 'keep' }, page: 1, pageSize: 50, search: null });
    expect(page.total).toBe(320); // the two organizational entries do not match (objectClass=inetOrgPerson)
    expect(page.rows).toHaveLength(50);
    const first = page.rows[0];
    expect(first).toMatchObject({ username: 'hdubois', active: true, org: 'Fjordline Berlin', roles: ['Desktop User', 'Org Admin'], errors: [] });
    const found = await app.preview.run({ sessionId: 's', serverId: id, draft, password: { kind: 'keep' }, page: 1, pageSize: 50, search: 'THANSEN' });
    expect(found.rows.map((r) => r.username)).toEqual(['thansen']);
    expect(found.rows[0].active).toBe(false); // the sample's second person is terminated
  });

  it('simulates "Sample directory" on a fresh store: creates active people in their office, skips terminated ones', async () => {
    const { id } = await sampleDraft();
    const run = await app.sync.run({ serverId: id, mode: 'simulate', trigger: 'cli' });
    expect(run.error).toBeNull();
    expect(run.status).toBe('simulated');
    expect(run.source).toBe('Sample directory (Fjordline Instruments)');
    const ldif = readFileSync(join(sampleDir(), 'directory.ldif'), 'utf8');
    const terminated = (ldif.match(/^employeeType: terminated$/gm) ?? []).length;
    // A new user needs an email: the sample's active people without one get an error row instead.
    const people = ldif.split(/\n\n+/).filter((b) => /^objectClass: inetOrgPerson$/m.test(b));
    const noMail = people.filter((b) => !/^mail: /m.test(b) && !/^employeeType: terminated$/m.test(b)).length;
    expect(noMail).toBeGreaterThan(0);
    expect(run.counts.created).toBe(320 - terminated - noMail);
    expect(run.counts.errors).toBe(noMail);
    await expect(app.sync.run({ serverId: id, mode: 'sync', trigger: 'cli' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('a draft simulation uses the unsaved script and changes the plan; it is kept in history as a draft', async () => {
    const { id, draft } = await sampleDraft();
    const base = await app.sync.run({ serverId: id, mode: 'simulate', trigger: 'manual' });
    const edited = { ...draft, scripts: { ...draft.scripts, active: 'function(entry) { return entry.l !== "Tokyo" && entry.employeeType !== "terminated"; }' } };
    const run = await app.sync.simulateDraft({ serverId: id, draft: edited, password: { kind: 'keep' }, source: { kind: 'live' } });
    expect(run).toMatchObject({ kind: 'draft', status: 'simulated' });
    expect(run.counts.created).toBeLessThan(base.counts.created);
    expect(run.counts.created).toBeGreaterThan(0);
    const changes = [...app.sync.allChanges(run.id)];
    expect(changes.some((c) => c.to === 'Fjordline Tokyo')).toBe(false);
    expect(app.servers.get(id).scripts.active).toBe(draft.scripts.active);
    expect(app.sync.history({ serverId: id, status: null, offset: 0, limit: 10 }).runs.map((r) => r.kind)).toEqual(['draft', 'simulate']);
  });
});

describe('snapshots', () => {
  const LDIF = `version: 1\n\ndn: uid=ann,ou=people,dc=x\nobjectClass: inetOrgPerson\nuid: ann\ncn:: w4VzYSDDmHZyZWLDuA==\nsn: A\nmail: ann@x\njpegPhoto:: /9j/4AAQ\n\ndn: uid=bob,ou=people,dc=x\nobjectClass: inetOrgPerson\nuid: bob\ncn: Bob\nsn: B\n`;

  it('imports LDIF, exports it, and the export imports to the same entries', async () => {
    const s = await app.snapshots.importLdifText({ text: LDIF, fileName: 'x.ldif', name: 'X' });
    expect(s).toMatchObject({ name: 'X', origin: 'ldif', entries: 2, fileName: 'x.ldif' });
    const out = [...app.snapshots.exportLdif('X')].join('');
    const a = parseLdif(LDIF);
    const b = parseLdif(out);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(b.entries).toEqual(a.entries);
  });

  it('refuses a malformed file with its line number and imports nothing', async () => {
    const bad = `dn: uid=a,dc=x\nuid: a\n\ndn: uid=b,dc=x\nchangetype: add\nuid: b\n`;
    await expect(app.snapshots.importLdifText({ text: bad, fileName: 'bad.ldif', name: 'Bad' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('bad.ldif, line 5') });
    expect(app.snapshots.list()).toEqual([]);
  });
});

describe('script test cases', () => {
  it('pass and fail with expected against actual', async () => {
    const engine = await app.scriptEngine();
    const entry = { dn: 'uid=a,dc=x', attributes: { uid: ['a'], employeeType: ['admin'], l: ['Oslo'] } };
    const scripts = {
      active: 'function(entry) { return entry.employeeType !== "terminated"; }',
      orgName: 'function(entry) { return "Fjordline " + entry.l; }',
      roleName: 'function(entry) { return entry.employeeType === "admin" ? ["Org Admin"] : []; }',
    };
    const cases: ScriptTestCase[] = [
      { id: '1', script: 'active', name: 'admins stay', entry, expected: true },
      { id: '2', script: 'orgName', name: 'office', entry, expected: 'fjordline oslo' },
      { id: '3', script: 'roleName', name: 'roles', entry, expected: ['Org Admin', 'Desktop User'] },
    ];
    const results = await runScriptTests(engine, scripts, cases);
    expect(results.map((r) => r.pass)).toEqual([true, true, false]);
    expect(results[2]).toMatchObject({ actual: ['Org Admin'], expected: ['Org Admin', 'Desktop User'] });
    const broken = await runScriptTests(engine, { ...scripts, active: 'function(entry) { throw new Error("boom"); }' }, cases.slice(0, 1));
    expect(broken[0]).toMatchObject({ pass: false, error: expect.stringContaining('boom') });
  });
});
