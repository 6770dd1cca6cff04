import { describe, expect, it } from 'vitest';
import type { EntryInput, ScriptOutcome } from '../../src-main/scripts/engine';
import type { ManagedUser } from '../../src-main/store/managed-users';
import { nameKey } from '../../src-main/store/name-key';
import { otherDirectoryIdsOf } from '../../src-main/sync/directory-id';
import { Planner, type Plan, type PlanContext } from '../../src-main/sync/planner';

// Issue 15: a user known by one directory ID (389-ds's nsUniqueId) whose entry gains another
// (entryUUID, from the plugin's fixup task) in the same run as a rename is the same user.

const SERVER = 'srv-389';
const ORGS = [{ id: 'org-legal', name: 'Legal', authServerId: SERVER }];

function user(username: string, directoryId: string | null): ManagedUser {
  return {
    id: `id-${username}`, username, usernameKey: nameKey(username), email: `${username}@example.test`, firstName: 'Ann', lastName: 'Lee',
    orgId: 'org-legal', active: true, deactivatedBy: null, directoryId, sourceDn: `uid=${username},ou=People`, sourceServerId: SERVER,
    missing: false, roleIds: [],
  };
}

function entry(uid: string, ids: Record<string, string>): EntryInput {
  const attributes: Record<string, string[]> = { uid: [uid], mail: [`${uid}@example.test`], givenName: ['Ann'], sn: ['Lee'] };
  for (const [k, v] of Object.entries(ids)) attributes[k] = [v];
  return { dn: `uid=${uid},ou=People`, attributes };
}

const ok = (): ScriptOutcome => ({ active: true, org: null, roles: [], errors: [], logs: [] });

function plan(managed: ManagedUser[], entries: EntryInput[]): Plan {
  const ctx: PlanContext = {
    serverId: SERVER, serverName: 'DS', usernameAttribute: 'uid', mapping: { email: 'mail', firstName: 'givenName', lastName: 'sn' },
    hasOrgScript: false, hasRoleScript: false, createUsers: true, defaultOrgId: 'org-legal', orgs: ORGS, roles: [], managed, others: new Map(),
  };
  const p = new Planner(ctx);
  p.addPage(entries, entries.map(ok));
  return p.plan();
}

const actions = (p: Plan) => p.changes.map((c) => [c.action, c.username, c.userId]);

describe('directory IDs across a change of ID attribute', () => {
  it('lists every ID an entry gives besides the preferred one', () => {
    const e = entry('a', { entryUUID: 'E-1', nsUniqueId: 'N-1' });
    expect(otherDirectoryIdsOf(e, 'entryUUID:e-1')).toEqual(['nsUniqueId:n-1']);
    expect(otherDirectoryIdsOf(entry('b', { nsUniqueId: 'N-2' }), 'nsUniqueId:n-2')).toEqual([]);
  });

  it('keeps a user first seen by nsUniqueId who is renamed as entryUUID appears, and records the entryUUID', () => {
    const p = plan([user('ann', 'nsUniqueId:n-1')], [entry('anna', { entryUUID: 'E-1', nsUniqueId: 'N-1' })]);
    expect(actions(p)).toEqual([['dn', 'ann', 'id-ann'], ['update', 'ann', 'id-ann']]);
    expect(p.changes[0]!.reason).toContain('directory ID unchanged');
    expect(p.counts).toMatchObject({ created: 0, deactivated: 0 });
    expect(p.seen).toEqual([{ id: 'id-ann', dn: 'uid=anna,ou=People', directoryId: 'entryUUID:e-1', changed: true }]);
  });

  it('still finds a reused username when the entry brings an ID of a new kind and a different one of the user\'s kind', () => {
    const p = plan([user('ann', 'nsUniqueId:n-1')], [entry('ann', { entryUUID: 'E-9', nsUniqueId: 'N-9' })]);
    expect(actions(p)).toEqual([['reused', 'ann', 'id-ann']]);
  });

  it('matches by username when the entry gives no ID of the user\'s kind (nothing proves another entry)', () => {
    const p = plan([user('ann', 'nsUniqueId:n-1')], [entry('ann', { entryUUID: 'E-1' })]);
    expect(p.changes).toEqual([]);
    expect(p.seen[0]!.directoryId).toBe('entryUUID:e-1');
  });
});

describe('a rename and a reuse in one plan', () => {
  it('renames a to b first and creates the new a in the same plan (Legal is managed: no claim otherwise)', () => {
    const p = plan([user('a', 'entryUUID:u-a')], [entry('a', { entryUUID: 'U-new' }), entry('b', { entryUUID: 'U-A' })]);
    expect(actions(p).map((r) => r.slice(0, 2))).toEqual([['dn', 'a'], ['update', 'a'], ['create', 'a']]);
    expect(p.changes.some((c) => /does not manage/.test(c.reason ?? ''))).toBe(false);
    expect(p.counts).toMatchObject({ created: 1, errors: 0, deactivated: 0 });
  });
});
