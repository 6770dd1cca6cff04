import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EntryInput, ScriptOutcome } from '../../src-main/scripts/engine';
import { openStore } from '../../src-main/store/db';
import { ManagedUsers, type ManagedUser } from '../../src-main/store/managed-users';
import { nameKey } from '../../src-main/store/name-key';
import { insertOrganization } from '../../src-main/store/organizations-repo';
import { insertRole } from '../../src-main/store/roles-repo';
import { insertServer } from '../../src-main/store/servers-repo';
import { insertUser, loadManagedUsers, setUserActive } from '../../src-main/store/users-repo';
import { Planner, type Plan, type PlanContext } from '../../src-main/sync/planner';
import { serverRow } from './server-row';

// The planner is pure: these cases run it on synthetic users and entries, including the ones the
// slapd tests (test/integration/sync-semantics.test.ts) do not reach.

const SERVER = 'srv-1';
const ORGS = [
  { id: 'org-a', name: 'Dept A', authServerId: SERVER },
  { id: 'org-b', name: 'Dept B', authServerId: SERVER },
  { id: 'org-local', name: 'Local', authServerId: null },
];
const ROLES = [
  { id: 'role-admin', name: 'Org Admin' },
  { id: 'role-user', name: 'Desktop User' },
];

/** A managed user as the entry of the same name (see entry()) would have created it. */
function user(username: string, over: Partial<ManagedUser> = {}): ManagedUser {
  return {
    id: `id-${username}`,
    username,
    usernameKey: nameKey(username),
    email: `${username}@example.com`,
    firstName: 'Ann',
    lastName: 'Smith',
    orgId: 'org-a',
    active: true,
    deactivatedBy: null,
    directoryId: `entryUUID:uuid-${username}`,
    sourceDn: `uid=${username},ou=people`,
    sourceServerId: SERVER,
    missing: false,
    roleIds: ['role-user'],
    ...over,
  };
}

/** A directory entry; `uuid` null for none. */
function entry(uid: string | string[], over: { dn?: string; uuid?: string | null; mail?: string; sn?: string } = {}): EntryInput {
  const first = Array.isArray(uid) ? uid[0] : uid;
  const attributes: Record<string, string[]> = { uid: Array.isArray(uid) ? uid : [uid], mail: [over.mail ?? `${first}@example.com`], givenName: ['Ann'], sn: [over.sn ?? 'Smith'] };
  const uuid = over.uuid === undefined ? `uuid-${first}` : over.uuid;
  if (uuid !== null) attributes.entryUUID = [uuid];
  return { dn: over.dn ?? `uid=${first},ou=people`, attributes };
}

function outcome(over: Partial<ScriptOutcome> = {}): ScriptOutcome {
  return { active: true, org: 'Dept A', roles: ['Desktop User'], errors: [], logs: [], ...over };
}

function context(over: Partial<PlanContext> = {}): PlanContext {
  return {
    serverId: SERVER,
    serverName: 'Corporate',
    usernameAttribute: 'uid',
    mapping: { email: 'mail', firstName: 'givenName', lastName: 'sn' },
    hasOrgScript: true,
    hasRoleScript: true,
    createUsers: false,
    defaultOrgId: null,
    orgs: ORGS,
    roles: ROLES,
    managed: [],
    others: new Map(),
    ...over,
  };
}

/** Plans `entries` (outcome() unless given) in pages of two. */
function plan(ctx: Partial<PlanContext>, entries: EntryInput[], outcomes: ScriptOutcome[] = entries.map(() => outcome())): Plan {
  const planner = new Planner(context(ctx));
  for (let i = 0; i < entries.length; i += 2) planner.addPage(entries.slice(i, i + 2), outcomes.slice(i, i + 2));
  return planner.plan();
}

const rows = (p: Plan) => p.changes.map((c) => [c.action, c.username, c.userId, c.reason ?? c.to ?? null]);

describe('planner', () => {
  it('makes a username with control characters an error row: no user created, a matched user kept as it is', () => {
    const managed = [user('bob\u001b[2J', { directoryId: 'entryUUID:uuid-bob' })];
    const p = plan({ managed, createUsers: true, defaultOrgId: 'org-a' }, [entry('eve\u202egnp.exe'), entry('bob\u001b[2J', { uuid: 'uuid-bob' }), entry('carol')]);
    const errors = p.changes.filter((c) => c.action === 'error');
    expect(errors.map((c) => [c.username, c.userId])).toEqual([['eve\u202egnp.exe', null], ['bob\u001b[2J', managed[0]!.id]]);
    expect(errors[0]!.reason).toBe('Username "eve\\u{202e}gnp.exe" contains control characters, which could hide or rewrite what is shown wherever the name appears: no user is created or changed for it. Fix the "uid" value in the directory.');
    expect(p.changes.filter((c) => c.action === 'create').map((c) => c.username)).toEqual(['carol']);
    expect(p.gone).toEqual([]);
  });

  it('gives a simulation\'s new users no planned id and no apply data, and otherwise the same plan', () => {
    const managed = [user('alice', { directoryId: 'entryUUID:uuid-alice' })];
    const entries = [entry('alice', { uuid: 'uuid-alice', mail: 'new@example.com' }), entry('carol'), entry('dave', { mail: '' }), entry('erin')];
    const applied = plan({ managed, createUsers: true }, entries);
    const simulated = plan({ managed, createUsers: true, applyData: false }, entries);
    const creates = (p: Plan) => p.changes.filter((c) => c.action === 'create');
    expect(creates(applied).map((c) => [c.username, typeof c.userId, (c.data as { kind: string }).kind])).toEqual([['carol', 'string', 'create'], ['erin', 'string', 'create']]);
    expect(creates(simulated).map((c) => [c.username, c.userId, c.data])).toEqual([['carol', null, null], ['erin', null, null]]);
    // Everything else is the same: the other rows whole, the creates but for their id and data.
    const shown = (p: Plan) => p.changes.map((c) => (c.action === 'create' ? { ...c, userId: null, data: null } : c));
    expect(shown(simulated)).toEqual(shown(applied));
    expect(simulated.changes.some((c) => c.action === 'update')).toBe(true);
    const { changes: _a, ...restApplied } = applied;
    const { changes: _s, ...restSimulated } = simulated;
    expect(restSimulated).toEqual(restApplied);
  });

  it('plans nothing for entries that repeat their users, and rewrites no row', () => {
    const managed = [user('alice'), user('bob'), user('carol')];
    const p = plan({ managed }, [entry('alice'), entry('bob'), entry('carol')]);
    expect(p.changes).toEqual([]);
    expect(p.seen).toEqual([]);
    expect(p.gone).toEqual([]);
    expect([p.entries, p.managedBefore, p.activeBefore, p.managedAfter, p.activeAfter]).toEqual([3, 3, 3, 3, 3]);
  });

  it('keeps the user of a renamed entry (same entryUUID, new uid and DN): a DN change, a username update and a row to rewrite', () => {
    const p = plan({ managed: [user('alice')] }, [entry('alicia', { uuid: 'uuid-alice', mail: 'alice@example.com' })]);
    expect(p.changes).toEqual([
      {
        seq: 0, username: 'alice', dn: 'uid=alicia,ou=people', userId: 'id-alice', action: 'dn', from: 'uid=alice,ou=people', to: 'uid=alicia,ou=people',
        data: { kind: 'dn', dn: 'uid=alicia,ou=people', directoryId: 'entryUUID:uuid-alice' },
        reason: 'Renamed in the directory; the same entry (directory ID unchanged), so the user keeps their account',
      },
      { seq: 1, username: 'alice', dn: 'uid=alicia,ou=people', userId: 'id-alice', action: 'update', from: 'username: alice', to: 'username: alicia', data: { kind: 'update', fields: { username: 'alicia' } } },
    ]);
    expect(p.counts).toMatchObject({ dnChanged: 1, updated: 1, deactivated: 0 });
    expect(p.seen).toEqual([{ id: 'id-alice', dn: 'uid=alicia,ou=people', directoryId: 'entryUUID:uuid-alice', changed: true }]);
  });

  it('does not give a re-created entry (same username, new entryUUID) the old account: a reused username, the account deactivated, no user created', () => {
    const p = plan({ managed: [user('alice'), user('bob')], createUsers: true }, [entry('alice', { uuid: 'uuid-new', dn: 'uid=alice,ou=new' }), entry('bob')]);
    expect(rows(p)).toEqual([['reused', 'alice', 'id-alice', expect.stringContaining('The username "alice" now comes from a different directory entry (entryUUID:uuid-new, uid=alice,ou=new)')]]);
    expect(p.changes[0]).toMatchObject({ from: 'entryUUID:uuid-alice', to: 'entryUUID:uuid-new', data: { kind: 'deactivate' } });
    expect(p.counts).toMatchObject({ reused: 1, deactivated: 1, created: 0 });
    expect(p.reusedDeactivated).toBe(1);
    expect([p.activeBefore, p.activeAfter]).toEqual([2, 1]);
    // The old account keeps its DN and ID (no row rewritten) and is missing: its entry is gone.
    expect(p.seen).toEqual([]);
    expect(p.gone).toEqual(['id-alice']);
  });

  it('matches by username an entry with a new ID when the user had none, and stores it', () => {
    const p = plan({ managed: [user('alice', { directoryId: null })] }, [entry('alice', { uuid: 'uuid-new' })]);
    expect(p.changes).toEqual([]);
    expect(p.seen).toEqual([{ id: 'id-alice', dn: 'uid=alice,ou=people', directoryId: 'entryUUID:uuid-new', changed: true }]);
    // Without an ID in the entry, the stored one is kept and nothing is rewritten.
    expect(plan({ managed: [user('alice')] }, [entry('alice', { uuid: null })]).seen).toEqual([]);
  });

  it('never lets a re-used username take over a renamed user, and gives the freed name to a new user in the same plan, after the rename', () => {
    // alice was renamed to alicia, and a new entry took the name alice.
    const p = plan({ managed: [user('alice')], createUsers: true }, [entry('alice', { uuid: 'uuid-other' }), entry('alicia', { uuid: 'uuid-alice', mail: 'alice@example.com' })]);
    expect(rows(p).map((r) => r.slice(0, 3))).toEqual([
      ['dn', 'alice', 'id-alice'],
      ['update', 'alice', 'id-alice'],
      ['create', 'alice', p.changes[2].userId],
    ]);
    expect(p.changes[1].data).toEqual({ kind: 'update', fields: { username: 'alicia' } });
    expect(p.changes[2].userId).not.toBe('id-alice');
    expect(p.counts).toMatchObject({ created: 1, errors: 0, reused: 0 });
  });

  it('creates no user for a name whose holder this plan matches elsewhere but cannot rename, and says the organization is managed', () => {
    // alice was renamed to bob, whom a user of another organization holds; a new entry took alice.
    const others = new Map([['bob', { id: 'id-local-bob', orgName: 'Local' }]]);
    const p = plan({ managed: [user('alice')], createUsers: true, others }, [entry('alice', { uuid: 'uuid-other' }), entry('bob', { uuid: 'uuid-alice', mail: 'alice@example.com' })]);
    expect(rows(p).map((r) => r[0])).toEqual(['dn', 'error', 'error']);
    expect(p.changes[2].reason).toContain('still belongs to a user of "Dept A" whom this plan matches to another entry by directory ID');
    expect(p.changes[2].reason).not.toContain('does not manage');
    expect(p.counts.created).toBe(0);
  });

  it('refuses a rename onto the username of a user of another organization', () => {
    const others = new Map([['bob', { id: 'id-local-bob', orgName: 'Local' }]]);
    const p = plan({ managed: [user('alice')], others }, [entry('bob', { uuid: 'uuid-alice', mail: 'alice@example.com', dn: 'uid=alice,ou=people' })]);
    expect(rows(p)).toEqual([['error', 'bob', 'id-alice', 'The entry\'s username changed from "alice" to "bob", but a user of "Local" already has that name. The username stays "alice".']]);
  });

  it('reports a username returned by several entries for each of them, leaves its user as is and does not deactivate it', () => {
    const managed = [user('alice'), user('bob')];
    // alice: the entry that repeats her and another one; bob: the same entry twice.
    const entries = [entry('alice'), entry('Alice', { dn: 'uid=alice2,ou=people', uuid: 'uuid-x' }), entry('bob'), entry('bob')];
    const p = plan({ managed }, entries);
    expect(rows(p)).toEqual([
      ['error', 'alice', 'id-alice', 'The username "alice" is returned by 2 entries (uid=alice,ou=people; uid=alice2,ou=people). Fix the directory or the search filter; the user is left as is.'],
      ['error', 'Alice', 'id-alice', expect.stringContaining('returned by 2 entries')],
      ['error', 'bob', 'id-bob', 'The username "bob" is returned by 2 entries (uid=bob,ou=people; uid=bob,ou=people). Fix the directory or the search filter; the user is left as is.'],
      ['error', 'bob', 'id-bob', expect.stringContaining('returned by 2 entries')],
    ]);
    expect(p.gone).toEqual([]);
    expect(p.counts).toMatchObject({ errors: 4, deactivated: 0 });
  });

  it('lists at most three entries of a duplicated username (new usernames: no user)', () => {
    const entries = ['a', 'b', 'c', 'd'].map((x) => entry('dup', { dn: `cn=${x}`, uuid: x }));
    const p = plan({ createUsers: true, defaultOrgId: 'org-a' }, entries);
    expect(p.changes.map((c) => [c.userId, c.reason])).toEqual(Array(4).fill([null, 'The username "dup" is returned by 4 entries (cn=a; cn=b; cn=c; ...). Fix the directory or the search filter; the user is left as is.']));
  });

  it('gives one user per value of a multi-valued username and matches them by ID and username, renames included', () => {
    const managed = [user('a', { directoryId: 'entryUUID:uuid-m' }), user('b', { directoryId: 'entryUUID:uuid-m', email: 'a@example.com', sourceDn: 'uid=a,ou=people' })];
    const same = plan({ managed }, [entry(['a', 'b', 'A'], { uuid: 'uuid-m', dn: 'uid=a,ou=people' })]);
    expect(same.changes).toEqual([]);
    expect(same.seen).toEqual([]);
    // b became c: a keeps its user, c is the one username left and b the one user left.
    const renamed = plan({ managed }, [entry(['a', 'c'], { uuid: 'uuid-m', dn: 'uid=a,ou=people' })]);
    expect(rows(renamed)).toEqual([['update', 'b', 'id-b', 'username: c']]);
    expect(renamed.changes[0].data).toEqual({ kind: 'update', fields: { username: 'c' } });
  });

  it('moves users and changes roles as the scripts say, and reports unknown names without changing anything', () => {
    const managed = [user('alice'), user('bob'), user('carol'), user('dave')];
    const outcomes = [outcome({ org: ' dept b ' }), outcome({ roles: ['org admin', 'Desktop User '] }), outcome({ org: 'Nowhere' }), outcome({ roles: ['Auditor', 'Desktop User', 'Boss'] })];
    const p = plan({ managed }, [entry('alice'), entry('bob'), entry('carol'), entry('dave')], outcomes);
    expect(p.changes.map(({ seq, data, ...c }) => ({ ...c, data }))).toEqual([
      { username: 'alice', dn: 'uid=alice,ou=people', userId: 'id-alice', action: 'move', from: 'Dept A', to: 'Dept B', data: { kind: 'move', orgId: 'org-b' } },
      { username: 'bob', dn: 'uid=bob,ou=people', userId: 'id-bob', action: 'roles', from: 'Desktop User', to: 'Desktop User, Org Admin', reason: 'added Org Admin', data: { kind: 'roles', roleIds: ['role-admin', 'role-user'] } },
      {
        username: 'carol', dn: 'uid=carol,ou=people', userId: 'id-carol', action: 'error', data: null,
        reason: 'Org name script returned "Nowhere", but no organization has that name. Create it, or fix the script. The user stays where they are.',
      },
      {
        username: 'dave', dn: 'uid=dave,ou=people', userId: 'id-dave', action: 'error', data: null,
        reason: 'Role name script returned "Auditor", "Boss": no role has those names. Create them on the Roles screen, or fix the script. The roles stay as they are.',
      },
    ]);
    expect(p.changes.map((c) => c.seq)).toEqual([0, 1, 2, 3]);
  });

  it('deactivates on Active false, respects a manual deactivation and undoes a sync deactivation', () => {
    const managed = [user('alice'), user('bob', { active: false, deactivatedBy: 'admin' }), user('carol', { active: false, deactivatedBy: 'sync' })];
    const p = plan({ managed }, [entry('alice'), entry('bob'), entry('carol')], [outcome({ active: false }), outcome(), outcome()]);
    expect(rows(p)).toEqual([
      ['deactivate', 'alice', 'id-alice', 'Active script returned false'],
      ['reactivate', 'carol', 'id-carol', 'Returned by the search and active again'],
    ]);
    expect([p.activeBefore, p.activeAfter]).toEqual([1, 1]);
  });

  it('deactivates active users the search no longer returns; every user not returned and not yet missing is gone', () => {
    const managed = [user('alice'), user('bob', { missing: true }), user('carol', { active: false, deactivatedBy: 'sync' }), user('dave')];
    const p = plan({ managed }, [entry('dave')]);
    expect(rows(p)).toEqual([
      ['deactivate', 'alice', 'id-alice', 'Not returned by the search'],
      ['deactivate', 'bob', 'id-bob', 'Not returned by the search'],
    ]);
    expect(p.changes[0]).toMatchObject({ dn: 'uid=alice,ou=people', data: { kind: 'deactivate', reason: 'Not returned by the search' } });
    expect(p.gone).toEqual(['id-alice', 'id-carol']);
  });

  it('rewrites the row of a user returned again, moved to another DN (shown as a DN change), or last seen through another server', () => {
    const managed = [user('alice', { missing: true }), user('bob'), user('carol', { sourceServerId: 'srv-old', sourceDn: 'uid=carol,ou=elsewhere' })];
    const p = plan({ managed }, [entry('alice'), entry('bob', { dn: 'uid=bob,ou=moved' }), entry('carol')]);
    expect(p.changes.map((c) => [c.action, c.username, c.from, c.to])).toEqual([['dn', 'bob', 'uid=bob,ou=people', 'uid=bob,ou=moved']]);
    expect(p.seen.map((s) => [s.id, s.dn])).toEqual([
      ['id-alice', 'uid=alice,ou=people'],
      ['id-bob', 'uid=bob,ou=moved'],
      ['id-carol', 'uid=carol,ou=people'],
    ]);
  });

  it('updates mapped fields that changed, and never clears one the entry lacks', () => {
    const p = plan({ managed: [user('alice', { firstName: null })] }, [entry('alice', { mail: 'new@example.com', sn: '' })]);
    expect(p.changes).toEqual([
      {
        seq: 0, username: 'alice', dn: 'uid=alice,ou=people', userId: 'id-alice', action: 'update', from: 'email: alice@example.com; first name: (none)', to: 'email: new@example.com; first name: Ann',
        data: { kind: 'update', fields: { email: 'new@example.com', firstName: 'Ann' } },
      },
    ]);
  });

  it('creates users when the server says so: placed by the Org name script or in the default organization', () => {
    const entries = [entry('new1'), entry('new2'), entry('gone-inactive')];
    const outcomes = [outcome(), outcome({ org: null, roles: [] }), outcome({ active: false })];
    const p = plan({ createUsers: true, defaultOrgId: 'org-b' }, entries, outcomes);
    expect(p.changes.map(({ userId, data, ...c }) => ({ ...c, id: (data as { id: string }).id === userId }))).toEqual([
      { seq: 0, username: 'new1', dn: 'uid=new1,ou=people', action: 'create', to: 'Dept A', reason: 'roles: Desktop User', id: true },
      { seq: 1, username: 'new2', dn: 'uid=new2,ou=people', action: 'create', to: 'Dept B', reason: undefined, id: true },
    ]);
    expect(p.changes[0].data).toEqual({
      kind: 'create', id: p.changes[0].userId, username: 'new1', email: 'new1@example.com', firstName: 'Ann', lastName: 'Smith', orgId: 'org-a', roleIds: ['role-user'], dn: 'uid=new1,ou=people',
      directoryId: 'entryUUID:uuid-new1',
    });
    expect(p.changes[0].userId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([p.managedAfter, p.activeAfter, p.counts.created]).toEqual([2, 2, 2]);
  });

  it('creates no user where the organization cannot be told, with the reason', () => {
    const e = [entry('x')];
    const none = [outcome({ org: null })];
    expect(plan({ createUsers: true }, e, none).changes[0].reason).toBe(
      "No organization for the new user: the Org name script returned nothing and the server has no default organization. Choose one in the server's Sync settings, or fix the script. No user is created.",
    );
    expect(plan({ createUsers: true, defaultOrgId: 'org-local' }, e, none).changes[0].reason).toBe(
      'The default organization "Local" does not sign in with "Corporate". Set its authentication to this server, or choose another default organization. No user is created.',
    );
    expect(plan({ createUsers: true, defaultOrgId: 'org-deleted' }, e, none).changes[0].reason).toMatch(/^The default organization no longer exists/);
    expect(plan({ createUsers: true }, e, [outcome({ org: 'Local' })]).changes[0].reason).toBe(
      'Org name script returned "Local", which does not sign in with "Corporate". Set its authentication to this server, or fix the script. No user is created.',
    );
    const others = new Map([['x', { id: 'id-local-x', orgName: 'Local' }]]);
    expect(rows(plan({ createUsers: true, others }, e))).toEqual([['error', 'x', 'id-local-x', expect.stringContaining('already exists in "Local"')]]);
  });

  it('reports entries without a username, and script failures with the script and line', () => {
    const noName: EntryInput = { dn: 'cn=printer', attributes: { cn: ['printer'], uid: ['  '] } };
    const failed = outcome({ active: null, errors: [{ script: 'active', code: 'SCRIPT_THROWN', message: 'boom', line: 2 }, { script: 'roleName', code: 'SCRIPT_TIMEOUT', message: 'Role name script exceeded its time limit' }] });
    const p = plan({ managed: [user('alice')], createUsers: true, defaultOrgId: 'org-a' }, [noName, entry('alice'), entry('new')], [outcome(), failed, failed]);
    expect(rows(p)).toEqual([
      ['error', null, null, 'No username: the entry has no "uid" value, so it gives no user.'],
      ['error', 'alice', 'id-alice', "Active script: boom (line 2). The user's status stays as it is."],
      ['error', 'alice', 'id-alice', 'Role name script exceeded its time limit. The roles stay as they are.'],
      ['error', 'new', null, 'Active script: boom (line 2). No user is created.'],
    ]);
  });

  it('plans once: the entries and users are released with the plan', () => {
    const planner = new Planner(context({ managed: [user('alice')] }));
    planner.addPage([entry('alice')], [outcome()]);
    expect(planner.plan().changes).toEqual([]);
    expect(() => planner.plan()).toThrow(/once/);
    expect(() => planner.addPage([entry('alice')], [outcome()])).toThrow(/plan\(\) has run/);
  });
});

describe('managed users', () => {
  it('loadManagedUsers reads every user of the server with flags and sorted roles (columns as objects with at())', () => {
    const dir = mkdtempSync(join(tmpdir(), 'planner-users-'));
    const store = openStore(join(dir, 'store.sqlite'));
    try {
      const db = store.db;
      insertServer(db, serverRow());
      insertServer(db, serverRow({ id: 'srv-2', name: 'Other', passwordRef: { kind: 'keychain', account: 'server:srv-2' } }));
      const mine = insertOrganization(db, { name: 'Mine', authServerId: 'srv-1' });
      const theirs = insertOrganization(db, { name: 'Theirs', authServerId: 'srv-2' });
      const auditor = insertRole(db, 'Auditor');
      const roleIds = (db.prepare(`SELECT id FROM roles WHERE name IN ('Desktop User', 'Org Admin')`).all() as { id: string }[]).map((r) => r.id);
      const a = insertUser(db, { username: 'Alice', orgId: mine.id, email: 'a@x', roleIds: [auditor.id, ...roleIds], sourceServerId: 'srv-1', sourceDn: 'uid=alice', directoryId: 'entryUUID:1' });
      const b = insertUser(db, { username: 'bob', orgId: mine.id });
      insertUser(db, { username: 'carol', orgId: theirs.id });
      setUserActive(db, b, false);
      const users = loadManagedUsers(db, 'srv-1');
      expect(users.length).toBe(2);
      expect([users.at(0), users.at(1)]).toEqual([
        {
          id: a, username: 'Alice', usernameKey: 'alice', email: 'a@x', firstName: null, lastName: null, orgId: mine.id, active: true, deactivatedBy: null, directoryId: 'entryUUID:1',
          sourceDn: 'uid=alice', sourceServerId: 'srv-1', missing: false, roleIds: [auditor.id, ...roleIds].sort(),
        },
        {
          id: b, username: 'bob', usernameKey: 'bob', email: null, firstName: null, lastName: null, orgId: mine.id, active: false, deactivatedBy: 'admin', directoryId: null,
          sourceDn: null, sourceServerId: null, missing: false, roleIds: [],
        },
      ]);
      expect(ManagedUsers.from([users.at(0), users.at(1)]).at(1)).toEqual(users.at(1));
      expect(loadManagedUsers(db, 'srv-none').length).toBe(0);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
