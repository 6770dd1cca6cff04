/**
 * Reads of attributes that were not fetched, against a real slapd: the preview fetches the
 * attribute and shows the right value; a snapshot that does not hold an attribute makes the
 * preview show the error on its rows and a simulation fail, naming the script and the attribute;
 * a script reading names that cannot be known statically gets the operational attributes too.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ServerScripts } from '../../src-shared/domain/mapping';
import type { ServerView } from '../../src-shared/domain/server';
import { targetFromDraft } from '../../src-main/ldap/target';
import { evaluateFetching, withNames } from '../../src-main/preview/evaluate-fetching';
import { LdapEntrySource } from '../../src-main/preview/ldap-source';
import { startSlapd, type Slapd } from '../rig/slapd';
import { openTestApp, preview, requestedAttributes, rigDraft, type TestApp } from './preview-fixture';

let slapd: Slapd;
let t: TestApp;

beforeAll(async () => {
  slapd = await startSlapd({ users: 20, logOps: true });
}, 60_000);
afterAll(() => slapd?.stop());
beforeEach(async () => {
  t = await openTestApp({ SYNC_PW: slapd.syncPw });
});
afterEach(() => t.close());

const NOT_INTERN: ServerScripts = { active: "function(entry) { return entry.employeeType !== 'intern'; }", orgName: null, roleName: null };
const TRUE: ServerScripts = { active: 'function(entry) { return true; }', orgName: null, roleName: null };

/** A saved server whose scripts read nothing, and a snapshot of it holding only the attributes they use. */
async function serverWithSnapshot(): Promise<{ server: ServerView; snapshotId: string }> {
  const server = await t.app.servers.create({ ...rigDraft(slapd), name: 'Corp', scripts: TRUE }, { kind: 'env', name: 'SYNC_PW' });
  const snap = await t.app.snapshots.capture({ serverId: server.id, attributes: 'used' });
  return { server, snapshotId: snap.id };
}

describe('the preview', () => {
  it('fetches an attribute a page was read without, evaluates again and shows the right value', async () => {
    const target = targetFromDraft(rigDraft(slapd));
    const source = new LdapEntrySource({ target, password: slapd.syncPw });
    try {
      const req = { page: 1, pageSize: 20, search: null, attributes: ['uid', 'mail'] };
      // This page lacks employeeType, and the evaluation is told so (a plan smaller than the analysis).
      const page = await source.page(req);
      expect(page.entries.every((e) => !('employeeType' in e.attributes))).toBe(true);
      const engine = await t.app.scriptEngine();
      const alone = await evaluateFetching(engine, NOT_INTERN, page, { withhold: ['employeeType'] });
      expect(alone.evaluation.outcomes.every((o) => o.active === null && o.errors[0]?.code === 'SCRIPT_UNFETCHED_ATTRIBUTE' && o.errors[0].attribute === 'employeeType')).toBe(true);

      const refetch = (add: readonly string[]) => source.page({ ...req, attributes: withNames(req.attributes, add) as string[] });
      const { evaluation, page: after } = await evaluateFetching(engine, NOT_INTERN, page, { withhold: ['employeeType'], refetch });
      expect(evaluation.outcomes.flatMap((o) => o.errors)).toEqual([]);
      const expected = after.entries.map((e) => e.attributes.employeeType[0] !== 'intern');
      expect(evaluation.outcomes.map((o) => o.active)).toEqual(expected);
      expect(expected.filter((a) => !a).length).toBeGreaterThan(0);
      // The second search asked slapd for the attribute the script read.
      expect((await requestedAttributes(slapd)).some((attrs) => /\bemployeeType\b/.test(attrs) && /\bmail\b/.test(attrs))).toBe(true);
    } finally {
      await source.close();
    }
  });

  it('over a snapshot that does not hold an attribute, shows the error on each row instead of undefined', async () => {
    const { server, snapshotId } = await serverWithSnapshot();
    const r = await preview(t.app, slapd, { ...rigDraft(slapd), name: 'Corp', scripts: NOT_INTERN }, { serverId: server.id, source: { kind: 'snapshot', snapshotId }, pageSize: 10 });
    expect(r.rows).toHaveLength(10);
    for (const row of r.rows) {
      expect(row.active).toBeNull();
      expect(row.errors).toEqual([expect.objectContaining({ code: 'SCRIPT_UNFETCHED_ATTRIBUTE', script: 'active', message: expect.stringMatching(/^The Active script read entry\.employeeType, which was not fetched/) })]);
    }
  });

  it('gives a script reading names it computes the operational attributes as well', async () => {
    // createTimestamp is operational: '*' alone would leave it undefined.
    const dynamic = "function(entry) { const name = ['create', 'Timestamp'].join(''); return typeof entry[name] === 'string'; }";
    const r = await preview(t.app, slapd, rigDraft(slapd, { scripts: { ...TRUE, active: dynamic } }), { pageSize: 10 });
    expect(r.rows.map((row) => [row.active, row.errors])).toEqual(Array.from({ length: 10 }, () => [true, []]));
  });
});

describe('a simulation', () => {
  it('over a snapshot that does not hold an attribute a script reads fails, naming the script and the attribute, and changes nothing', async () => {
    const { server, snapshotId } = await serverWithSnapshot();
    await t.app.servers.update(server.id, { ...rigDraft(slapd), name: 'Corp', scripts: NOT_INTERN, createUsers: true }, { kind: 'keep' });
    const r = await t.app.sync.run({ serverId: server.id, mode: 'simulate', trigger: 'manual', source: { kind: 'snapshot', snapshotId } });
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('SCRIPT_UNFETCHED_ATTRIBUTE');
    expect(r.error?.message).toMatch(/^The Active script read the attribute employeeType, which was not fetched: no entry of snapshot ".*" holds it/);
    expect(r.error?.message).toMatch(/Nothing was changed\.$/);
    expect(t.app.directory.findUser('user00001')).toBeFalsy();

    // The same simulation against the directory itself fetches employeeType and succeeds.
    const live = await t.app.sync.run({ serverId: server.id, mode: 'simulate', trigger: 'manual' });
    expect({ status: live.status, error: live.error, entries: live.entries }).toEqual({ status: 'simulated', error: null, entries: 20 });
  });

  it('by a script reading names it computes sees the operational attributes, as a script naming them does', async () => {
    const server = await t.app.servers.create({ ...rigDraft(slapd), name: 'Corp', scripts: TRUE, createUsers: true }, { kind: 'env', name: 'SYNC_PW' });
    const org = t.app.directory.createOrg({ name: 'Everyone', parentId: null, authServerId: server.id });
    const simulate = async (active: string) => {
      await t.app.servers.update(server.id, { ...rigDraft(slapd), name: 'Corp', scripts: { ...TRUE, active }, createUsers: true, defaultOrgId: org.id }, { kind: 'keep' });
      const r = await t.app.sync.run({ serverId: server.id, mode: 'simulate', trigger: 'manual' });
      return { status: r.status, activeAfter: r.activeAfter, counts: r.counts };
    };
    // createTimestamp is operational (and not one of the directory-ID attributes a run always asks for).
    const named = await simulate("function(entry) { return typeof entry.createTimestamp === 'string'; }");
    expect(named).toMatchObject({ status: 'simulated', activeAfter: 20 });
    expect(await simulate("function(entry) { return typeof entry[['create', 'Timestamp'].join('')] === 'string'; }")).toEqual(named);
  });
});
