/**
 * The packed form in which a sync's changes travel to the apply worker (sync/change-pack.ts): every
 * kind of change comes back as it was planned, through a real structured clone.
 */
import { describe, expect, it } from 'vitest';
import type { StoredChange } from '../../src-main/store/plan-rows-repo';
import { packChanges, unpackChanges } from '../../src-main/sync/change-pack';

const ROLES = ['role-user', 'role-admin'];

/** One change of every kind and shape a plan holds, seq from 0. */
function everyKind(): StoredChange[] {
  const list: Omit<StoredChange, 'seq'>[] = [
    { username: 'ann', dn: 'uid=ann,ou=p', userId: 'id-ann', action: 'create', to: 'Dept A', reason: 'Created with the roles Desktop User', data: { kind: 'create', id: 'id-ann', username: 'ann', email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee', orgId: 'org-a', roleIds: ROLES, dn: 'uid=ann,ou=p', directoryId: 'entryUUID:1' } },
    { username: 'bo', dn: 'uid=bo,ou=p', userId: 'id-bo', action: 'create', to: 'Dept A', data: { kind: 'create', id: 'id-bo', username: 'bo', email: null, firstName: null, lastName: null, orgId: 'org-a', roleIds: [], dn: 'uid=bo,ou=p', directoryId: null } },
    { username: 'cy', dn: 'uid=cy,ou=p', userId: null, action: 'create', to: 'Dept B', data: null },
    { username: 'di', dn: null, userId: 'id-di', action: 'deactivate', reason: 'Not returned by the search', data: { kind: 'deactivate', reason: 'Not returned by the search' } },
    { username: 'ed', dn: 'uid=ed,ou=p', userId: 'id-ed', action: 'reactivate', reason: 'Active again', data: { kind: 'reactivate' } },
    { username: 'fi', dn: 'uid=fi,ou=p', userId: 'id-fi', action: 'move', from: 'Dept A', to: 'Dept B', data: { kind: 'move', orgId: 'org-b' } },
    { username: 'gu', dn: 'uid=gu,ou=p', userId: 'id-gu', action: 'roles', from: 'Desktop User', to: 'Desktop User, Org Admin', data: { kind: 'roles', roleIds: ROLES } },
    { username: 'ha', dn: 'uid=ha,ou=p', userId: 'id-ha', action: 'update', from: 'email: a@x', to: 'email: b@x', data: { kind: 'update', fields: { email: 'b@x' } } },
    { username: 'io', dn: 'uid=io,ou=q', userId: 'id-io', action: 'dn', from: 'uid=io,ou=p', to: 'uid=io,ou=q', reason: 'Renamed', data: { kind: 'dn', dn: 'uid=io,ou=q', directoryId: 'entryUUID:9' } },
    { username: 'jo', dn: 'uid=jo,ou=p', userId: 'id-jo', action: 'reused', from: 'entryUUID:1', to: 'entryUUID:2', reason: 'Reused', data: null },
    { username: 'ka', dn: 'uid=ka,ou=p', userId: 'id-ka', action: 'reused', from: 'entryUUID:3', to: 'entryUUID:4', reason: 'Reused', data: { kind: 'deactivate', reason: 'Reused' } },
    { username: null, dn: 'cn=x,ou=p', userId: null, action: 'error', reason: 'No username', data: null },
    { username: 'lu', dn: 'uid=lu,ou=p', userId: 'id-lu', action: 'error', reason: 'Duplicate', data: null },
    { username: 'mo', dn: 'uid=mo,ou=p', userId: 'id-mo', action: 'create', to: 'Dept A', reason: 'Created with the roles Desktop User', data: { kind: 'create', id: 'id-mo', username: 'mo', email: 'mo@example.com', firstName: 'Mo', lastName: 'Ng', orgId: 'org-a', roleIds: ROLES, dn: 'uid=mo,ou=p', directoryId: 'entryUUID:5' } },
  ];
  return list.map((c, seq) => ({ ...c, seq }) as StoredChange);
}

/** As the worker gets it: packed on one side, structured-cloned, unpacked on the other. */
const travel = (changes: StoredChange[], from: number, to: number) => unpackChanges(structuredClone(packChanges(changes, from, to)));

describe('packed changes', () => {
  it('bring every kind of change and apply data back as planned', () => {
    const changes = everyKind();
    expect(travel(changes, 0, changes.length)).toEqual(changes);
  });

  it('pack any slice of a plan, its seqs kept', () => {
    const changes = everyKind();
    for (let from = 0; from < changes.length; from += 3) {
      const to = Math.min(changes.length, from + 5);
      expect(travel(changes, from, to)).toEqual(changes.slice(from, to));
    }
    expect(travel(changes, 4, 4)).toEqual([]);
  });

  it('send a role list shared by many creates once, and keep it shared', () => {
    const changes = everyKind();
    const packed = structuredClone(packChanges(changes, 0, changes.length));
    expect(packed.roles[0]).toBe(packed.roles[2]);
    const back = unpackChanges(packed);
    expect((back[0].data as { roleIds: string[] }).roleIds).toBe((back[13].data as { roleIds: string[] }).roleIds);
  });

  it('refuse changes out of seq order, and a create whose data names another user', () => {
    const changes = everyKind();
    expect(() => packChanges([changes[1], changes[0]], 0, 2)).toThrow(/seq/);
    const other = everyKind();
    (other[0].data as { username: string }).username = 'someone-else';
    expect(() => packChanges(other, 0, 1)).toThrow(/does not name its own user/);
  });
});
