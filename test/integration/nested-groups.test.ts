/**
 * Nested group membership (the scripts' `groups` helpers) against a real slapd: a groupOfNames
 * chain, a groupOfUniqueNames at its top and a cycle, in the preview, a simulation, a sync and
 * over snapshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerDraft } from '../../src-shared/domain/server';
import { GROUP_FILTER } from '../../src-main/groups/group-closure';
import { run } from '../rig/exec';
import { addNestedGroups } from '../rig/nested-groups-data';
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

    const ldif = (await run('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw, '-b', slapd.suffix])).stdout;
    const full = await t.app.snapshots.importLdifText({ text: ldif, fileName: 'tree.ldif', name: 'whole tree' });
    const r = await preview(t.app, slapd, draft(), { sessionId: 'snap', source: { kind: 'snapshot', snapshotId: full.id } });
    expect(rolesBy(r.rows)).toMatchObject({ user00003: ['Outer'], user00004: ['Loop'] });
    const sim2 = await t.app.sync.run({ serverId: server.id, mode: 'simulate', trigger: 'manual', source: { kind: 'snapshot', snapshotId: full.id } });
    expect(sim2.error).toBeNull();
  });
});
