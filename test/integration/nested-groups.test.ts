/**
 * Nested group membership (the scripts' `groups` helpers) against a real slapd: a groupOfNames
 * chain, a groupOfUniqueNames at its top and a cycle, in the preview, a simulation, a sync and
 * over snapshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerDraft } from '../../src-shared/domain/server';
import { GROUP_FILTER } from '../../src-main/groups/group-closure';
import { run } from '../rig/exec';
import { addNestedGroups, nestedGroups } from '../rig/nested-groups-data';
import { runScriptTests } from '../../src-main/scripts/test-cases';
import { startSlapd, type Slapd } from '../rig/slapd';
import { openTestApp, preview, rigDraft, searchOps, type TestApp } from './preview-fixture';

let slapd: Slapd;
let t: TestApp;

const ROLE = `function(entry) {
  const roles = [];
  if (groups.isMember(entry, 'CN=Outer,OU=Groups,DC=example,DC=com')) roles.push('Outer');
  if (groups.isMember(entry, 'loop-b')) roles.push('Loop');
  return roles;
}`;

const draft = (over: Partial<ServerDraft> = {}): ServerDraft =>
  rigDraft(slapd, { searchFilter: '(&(objectClass=inetOrgPerson)(uid=?))', scripts: { active: 'e => true', orgName: null, roleName: ROLE }, ...over }, slapd.suffix);

/** Roles by username from preview rows. */
const rolesBy = (rows: Array<{ username: string | null; roles: string[] }>) => Object.fromEntries(rows.map((r) => [r.username, r.roles]));

beforeAll(async () => {
  slapd = await startSlapd({ users: 12, logOps: true });
  await addNestedGroups(slapd);
  t = await openTestApp({ SYNC_PW: slapd.syncPw });
  for (const name of ['Outer', 'Loop']) t.app.directory.createRole({ name });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await slapd?.stop();
});

describe('nested groups against slapd', () => {
  it('the preview sees members of nested groups, through a cycle too', async () => {
    const r = await preview(t.app, slapd, draft());
    const roles = rolesBy(r.rows);
    expect(roles.user00001).toEqual(['Outer']); // admins ⊂ middle ⊂ outer
    expect(roles.user00003).toEqual(['Outer']); // inner ⊂ middle ⊂ outer
    expect(roles.user00004).toEqual(['Loop']); // loop-a ⊂ loop-b ⊂ loop-a
    expect(roles.user00005).toEqual([]);
    expect(r.rows.every((row) => row.errors.length === 0)).toBe(true);
  });

  it('reads the groups once per preview session, and not at all for scripts that do not use them', async () => {
    const before = (await searchOps(slapd)).filter((s) => s.includes('objectClass=groupOfNames')).length;
    await preview(t.app, slapd, draft(), { sessionId: 'groups-once', page: 1, pageSize: 5 });
    await preview(t.app, slapd, draft(), { sessionId: 'groups-once', page: 2, pageSize: 5 });
    const plain = draft({ scripts: { active: 'e => true', orgName: null, roleName: 'e => e.all("memberOf")' } });
    await preview(t.app, slapd, plain, { sessionId: 'no-groups' });
    const after = (await searchOps(slapd)).filter((s) => s.includes('objectClass=groupOfNames')).length;
    expect(after - before).toBe(1);
    expect(GROUP_FILTER).toContain('(objectClass=groupOfUniqueNames)');
  });

  it("the raw view gives an entry's groups when the scripts use them, and test cases made from it see them", async () => {
    const n = nestedGroups(slapd);
    const input = { sessionId: 'raw-groups', draft: draft(), password: { kind: 'value' as const, value: slapd.syncPw } };
    const raw = await t.app.preview.raw({ ...input, dn: n.innerMember });
    // Nearest first: the direct ones (the rig's staff, inner), then middle (which holds inner), then outer (which holds middle).
    const got = raw.groups!.map((g) => g.toLowerCase());
    expect([...got].sort()).toEqual([n.inner, n.middle, n.outer, `cn=staff,ou=groups,${slapd.suffix}`].sort());
    expect(got.indexOf(n.inner)).toBeLessThan(got.indexOf(n.middle));
    expect(got.indexOf(n.middle)).toBeLessThan(got.indexOf(n.outer));
    expect((await t.app.preview.raw({ ...input, dn: slapd.userDn(5) })).groups?.map((g) => g.toLowerCase())).toEqual([`cn=staff,ou=groups,${slapd.suffix}`]);
    expect((await t.app.preview.raw({ ...input, dn: slapd.userDn(11) })).groups).toEqual([]); // the rig's staff holds users 1-10
    // Scripts that do not use the helpers: no groups read, none given.
    const plain = draft({ scripts: { active: 'e => true', orgName: null, roleName: 'e => []' } });
    expect((await t.app.preview.raw({ sessionId: 'raw-plain', draft: plain, password: input.password, dn: n.innerMember })).groups).toBeUndefined();

    // A case with the groups the raw view gave, one in no group, and the same DN with other groups.
    const scripts = { active: 'e => true', orgName: null, roleName: ROLE };
    const entry = (dn: string, groups?: string[]) => ({ dn, attributes: { uid: [/^uid=([^,]+)/.exec(dn)![1]] }, ...(groups ? { groups } : {}) });
    const cases = [
      { id: 'a', script: 'roleName' as const, name: 'inner member', entry: entry(n.innerMember, raw.groups), expected: ['Outer'] },
      { id: 'b', script: 'roleName' as const, name: 'no group', entry: entry(slapd.userDn(5)), expected: [] },
      { id: 'c', script: 'roleName' as const, name: 'same DN, in the loop', entry: entry(n.innerMember, [n.loopB]), expected: ['Loop'] },
      { id: 'd', script: 'roleName' as const, name: 'wrong expectation', entry: entry(n.innerMember, raw.groups), expected: [] },
    ];
    const results = await runScriptTests(await t.app.scriptEngine(), scripts, cases);
    expect(results.map((r) => [r.id, r.pass, r.actual])).toEqual([
      ['a', true, ['Outer']],
      ['b', true, []],
      ['c', true, ['Loop']],
      ['d', false, ['Outer']],
    ]);
    expect(results.every((r) => r.error === undefined)).toBe(true);
  });

  it('a sync gives the roles of nested groups', async () => {
    const scripts = { active: 'e => true', orgName: 'e => "Nested Org"', roleName: ROLE };
    const server = await t.app.servers.create({ ...draft({ scripts }), name: 'Nested', createUsers: true }, { kind: 'env', name: 'SYNC_PW' });
    t.app.directory.createOrg({ name: 'Nested Org', parentId: null, authServerId: server.id });
    const sim = await t.app.sync.run({ serverId: server.id, mode: 'simulate', trigger: 'manual' });
    expect(sim.error).toBeNull();
    expect(sim.counts.errors).toBe(0);
    const r = await t.app.sync.run({ serverId: server.id, mode: 'sync', trigger: 'manual' });
    expect(r.status).toBe('applied');
    expect(t.app.directory.findUser('user00002')?.roles).toEqual(['Outer']);
    expect(t.app.directory.findUser('user00004')?.roles).toEqual(['Loop']);
    expect(t.app.directory.findUser('user00006')?.roles).toEqual([]);
  });

  it('a capture stores the groups its scripts need, and a simulation over it answers as live', async () => {
    const server = await t.app.servers.create({ ...draft(), name: 'Snap' }, { kind: 'env', name: 'SYNC_PW' });
    const captured = await t.app.snapshots.capture({ serverId: server.id, attributes: 'used' });
    // 12 people and the 7 groups below the base (the rig's admins and staff, and the five nested ones).
    expect(captured.entries).toBe(12 + 7);
    const r = await preview(t.app, slapd, draft(), { sessionId: 'captured', source: { kind: 'snapshot', snapshotId: captured.id } });
    expect(rolesBy(r.rows)).toMatchObject({ user00001: ['Outer'], user00003: ['Outer'], user00004: ['Loop'], user00005: [] });
    const sim = await t.app.sync.run({ serverId: server.id, mode: 'simulate', trigger: 'manual', source: { kind: 'snapshot', snapshotId: captured.id } });
    expect(sim.error).toBeNull();
    // The stored groups are not entries of the search: comparing with the directory finds no difference.
    const compared = await t.app.snapshots.compare({ snapshot: captured.id });
    expect(compared).toMatchObject({ added: 0, removed: 0, changed: 0 });
  });

  it('over a snapshot without groups, says what is missing; over an LDIF export of the tree, answers as live', async () => {
    const plain = await t.app.servers.create({ ...draft({ scripts: { active: 'e => true', orgName: null, roleName: null } }), name: 'Plain' }, { kind: 'env', name: 'SYNC_PW' });
    const captured = await t.app.snapshots.capture({ serverId: plain.id, attributes: 'all' });
    expect(captured.entries).toBe(12);
    const server = await t.app.servers.create({ ...draft(), name: 'Snap 2' }, { kind: 'env', name: 'SYNC_PW' });
    const sim = await t.app.sync.run({ serverId: server.id, mode: 'simulate', trigger: 'manual', source: { kind: 'snapshot', snapshotId: captured.id } });
    expect(sim.status).toBe('failed');
    expect(sim.error?.message).toMatch(/use the groups helpers .* holds no groups below the search base .*Nothing was changed\. Capture the snapshot again/);
    // The raw view of its entries still works, without groups (the preview says what is missing).
    const raw = await t.app.preview.raw({ sessionId: 'snap-plain', draft: draft(), password: { kind: 'value', value: slapd.syncPw }, source: { kind: 'snapshot', snapshotId: captured.id }, dn: slapd.userDn(3) });
    expect(raw.attributes.map((a) => a.name)).toContain('uid');
    expect(raw.groups).toBeUndefined();

    const ldif = (await run('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw, '-b', slapd.suffix])).stdout;
    const full = await t.app.snapshots.importLdifText({ text: ldif, fileName: 'tree.ldif', name: 'whole tree' });
    const r = await preview(t.app, slapd, draft(), { sessionId: 'snap', source: { kind: 'snapshot', snapshotId: full.id } });
    expect(rolesBy(r.rows)).toMatchObject({ user00003: ['Outer'], user00004: ['Loop'] });
    const sim2 = await t.app.sync.run({ serverId: server.id, mode: 'simulate', trigger: 'manual', source: { kind: 'snapshot', snapshotId: full.id } });
    expect(sim2.error).toBeNull();
  });
});
