import { describe, expect, it } from 'vitest';
import type { EntryInput, ScriptOutcome } from '../../src-main/scripts/engine';
import { ManagedUsers, type ManagedUser } from '../../src-main/store/managed-users';
import { nameKey } from '../../src-main/store/name-key';
import { Answers } from '../../src-main/sync/plan/answers';
import { CollectedEntries } from '../../src-main/sync/plan/collected-entries';
import { decideMatched } from '../../src-main/sync/plan/decide-matched';
import { decideNew } from '../../src-main/sync/plan/decide-new';
import { dnChangeOf } from '../../src-main/sync/plan/dn-change';
import { decideReused, isReusedUsername } from '../../src-main/sync/plan/reused-username';
import { deactivateUnreturned } from '../../src-main/sync/plan/deactivate-unreturned';
import { claimDuplicateOwners, findDuplicates } from '../../src-main/sync/plan/duplicates';
import { newFacts, readFacts, type Deciding } from '../../src-main/sync/plan/entry-facts';
import { matchByDirectoryId } from '../../src-main/sync/plan/match-by-directory-id';
import { matchByUsername } from '../../src-main/sync/plan/match-by-username';
import { Matches } from '../../src-main/sync/plan/matches';
import { duplicateUsername, scriptMessage } from '../../src-main/sync/plan/messages';
import { usernameOwner } from '../../src-main/sync/plan/owners';
import { PlanOutput } from '../../src-main/sync/plan/plan-output';
import type { PlanContext } from '../../src-main/sync/plan/types';

// Each rule of the planner on its own, on a few users and entries (no directory, no store).

const SERVER = 'srv-1';

function user(username: string, over: Partial<ManagedUser> = {}): ManagedUser {
  return {
    id: `id-${username}`,
    username,
    usernameKey: nameKey(username),
    email: `${username}@example.com`,
    firstName: null,
    lastName: null,
    orgId: 'org-a',
    active: true,
    deactivatedBy: null,
    directoryId: `entryUUID:uuid-${username}`,
    sourceDn: `uid=${username},ou=people`,
    sourceServerId: SERVER,
    missing: false,
    roleIds: [],
    ...over,
  };
}

function entry(uid: string | string[], uuid: string | null = null, dn?: string, mail: string | null = `${Array.isArray(uid) ? uid[0] : uid}@example.com`): EntryInput {
  const uids = Array.isArray(uid) ? uid : [uid];
  const attributes: Record<string, string[]> = { uid: uids };
  if (mail !== null) attributes.mail = [mail];
  if (uuid !== null) attributes.entryUUID = [uuid];
  return { dn: dn ?? `uid=${uids[0]},ou=people`, attributes };
}

const ok = (over: Partial<ScriptOutcome> = {}): ScriptOutcome => ({ active: true, org: null, roles: [], errors: [], logs: [], ...over });

function context(over: Partial<PlanContext> = {}): PlanContext {
  return {
    serverId: SERVER,
    serverName: 'Corporate',
    usernameAttribute: 'uid',
    mapping: { email: 'mail', firstName: '', lastName: '' },
    hasOrgScript: true,
    hasRoleScript: false,
    createUsers: true,
    defaultOrgId: null,
    orgs: [
      { id: 'org-a', name: 'Dept A', authServerId: SERVER },
      { id: 'org-local', name: 'Local', authServerId: null },
    ],
    roles: [{ id: 'role-user', name: 'Desktop User' }],
    managed: [],
    others: new Map(),
    ...over,
  };
}

/** The rules' inputs for these users and entries, matched as the planner does. */
function setUp(list: ManagedUser[], entries: EntryInput[], outcomes: ScriptOutcome[] = entries.map(() => ok()), over: Partial<PlanContext> = {}) {
  const ctx = context(over);
  const users = ManagedUsers.from(list);
  const byKey = new Map(list.map((u, i) => [u.usernameKey, i]));
  const collected = new CollectedEntries(users, byKey, ctx);
  collected.addPage(entries, outcomes);
  const duplicates = findDuplicates(collected, users, byKey);
  const matches = new Matches(collected, users.length);
  const out = new PlanOutput();
  const answers = new Answers(ctx, collected);
  const d: Deciding = { ctx, users, answers, out, ownerOf: (k) => usernameOwner(k, users, byKey, answers, ctx.others) };
  const facts = (i: number) => readFacts(collected, i, newFacts());
  return { ctx, users, byKey, collected, duplicates, matches, out, d, facts };
}

/** The user id each slot matched (null: none; `reused <id>`: that user's username on another entry). */
const matchedIds = (s: ReturnType<typeof setUp>) => [...s.matches.user].map((u) => (u <= -2 ? `reused ${s.users.id[-2 - u]}` : u < 0 ? null : s.users.id[u]));

describe('rule: duplicates', () => {
  it('finds a username returned by two entries, ignoring case', () => {
    const s = setUp([], [entry('ann'), entry('ANN', null, 'uid=ann2,ou=people'), entry('bob')]);
    expect([...s.duplicates.keys]).toEqual(['ann']);
    expect(s.duplicates.entriesOf('ann')).toEqual(['uid=ann,ou=people', 'uid=ann2,ou=people']);
  });

  it('counts an entry that repeats its user exactly and another entry of that username as duplicates', () => {
    const s = setUp([user('ann')], [entry('ann', 'uuid-ann'), entry('ann', null, 'uid=other,ou=people')]);
    expect(s.collected.compactUser(0)).toBe(0);
    expect(s.duplicates.has('ann')).toBe(true);
  });

  it('keeps the user of a duplicated username from being deactivated as missing', () => {
    const s = setUp([user('ann')], [entry('ann', null, 'uid=a1'), entry('ann', null, 'uid=a2')]);
    matchByDirectoryId(s.collected, s.users, s.duplicates, s.matches);
    matchByUsername(s.collected, s.users, s.byKey, s.duplicates, s.matches);
    expect(matchedIds(s)).toEqual([null, null]);
    claimDuplicateOwners(s.duplicates, s.byKey, s.matches);
    expect(deactivateUnreturned(s.users, s.matches, s.out).gone).toEqual([]);
    expect(s.out.changes).toEqual([]);
  });
});

describe('rule: match by directory ID', () => {
  it('matches a renamed entry to the user of its directory ID', () => {
    const s = setUp([user('ann')], [entry('anne', 'uuid-ann')]);
    matchByDirectoryId(s.collected, s.users, s.duplicates, s.matches);
    expect(matchedIds(s)).toEqual(['id-ann']);
  });

  it('pairs the usernames of a multi-valued entry with the users of its ID, a single leftover being a rename', () => {
    const shared = 'entryUUID:uuid-x';
    const s = setUp([user('ann', { directoryId: shared }), user('bob', { directoryId: shared })], [entry(['bob', 'anne'], 'uuid-x')]);
    matchByDirectoryId(s.collected, s.users, s.duplicates, s.matches);
    expect(matchedIds(s)).toEqual(['id-bob', 'id-ann']);
  });

  it('does not guess when two usernames are left for one user of the ID', () => {
    const s = setUp([user('ann')], [entry(['x', 'y'], 'uuid-ann')]);
    matchByDirectoryId(s.collected, s.users, s.duplicates, s.matches);
    expect(matchedIds(s)).toEqual([null, null]);
  });

  it('gives a user to the first entry of its ID only', () => {
    const s = setUp([user('ann')], [entry('ann', 'uuid-ann'), entry('anne', 'uuid-ann', 'uid=anne,ou=people')]);
    matchByDirectoryId(s.collected, s.users, s.duplicates, s.matches);
    expect(matchedIds(s)).toEqual(['id-ann', null]);
  });
});

describe('rule: match by username', () => {
  it('matches an entry by its username, ignoring case, when the user has no directory ID yet', () => {
    const s = setUp([user('ann', { directoryId: null })], [entry('Ann', 'uuid-new')]);
    matchByDirectoryId(s.collected, s.users, s.duplicates, s.matches);
    matchByUsername(s.collected, s.users, s.byKey, s.duplicates, s.matches);
    expect(matchedIds(s)).toEqual(['id-ann']);
  });

  it('matches by username an entry that gives no directory ID, or one of another kind', () => {
    const s = setUp([user('ann'), user('bob')], [entry('ann', null), { dn: 'uid=bob,ou=people', attributes: { uid: ['bob'], nsUniqueId: ['x-1'] } }]);
    matchByDirectoryId(s.collected, s.users, s.duplicates, s.matches);
    matchByUsername(s.collected, s.users, s.byKey, s.duplicates, s.matches);
    expect(matchedIds(s)).toEqual(['id-ann', 'id-bob']);
  });

  it('does not give a user to a re-created entry of the same username (a new directory ID): a reused username', () => {
    const s = setUp([user('ann')], [entry('Ann', 'uuid-new')]);
    matchByDirectoryId(s.collected, s.users, s.duplicates, s.matches);
    matchByUsername(s.collected, s.users, s.byKey, s.duplicates, s.matches);
    expect(matchedIds(s)).toEqual(['reused id-ann']);
  });

  it('never takes a user already matched by directory ID (a re-used username)', () => {
    const s = setUp([user('ann')], [entry('ann', 'uuid-newcomer', 'uid=ann,ou=new'), entry('anne', 'uuid-ann')]);
    matchByDirectoryId(s.collected, s.users, s.duplicates, s.matches);
    matchByUsername(s.collected, s.users, s.byKey, s.duplicates, s.matches);
    expect(matchedIds(s)).toEqual([null, 'id-ann']);
  });
});

describe('rule: decide matched', () => {
  it('deactivates a user whose Active script returns false, and reactivates only users that sync deactivated', () => {
    const s = setUp(
      [user('ann'), user('bob', { active: false, deactivatedBy: 'sync' }), user('carl', { active: false, deactivatedBy: 'admin' })],
      [entry('ann'), entry('bob'), entry('carl')],
      [ok({ active: false }), ok(), ok()],
      { hasOrgScript: false },
    );
    for (let i = 0; i < 3; i++) decideMatched(s.d, s.facts(i), s.users.username[i], s.users.usernameKey[i], i);
    expect(s.out.changes.map((c) => `${c.action} ${c.username}: ${c.reason}`)).toEqual(['deactivate ann: Active script returned false', 'reactivate bob: Returned by the search and active again']);
  });

  it('keeps the user where they are when the Org name script names an organization of another server', () => {
    const s = setUp([user('ann')], [entry('ann')], [ok({ org: 'Local' })]);
    decideMatched(s.d, s.facts(0), 'ann', 'ann', 0);
    expect(s.out.changes).toMatchObject([{ action: 'error', reason: 'Org name script returned "Local", which does not sign in with "Corporate". Set its authentication to this server, or fix the script. The user stays where they are.' }]);
  });

  it('refuses a rename onto a username that a user of another organization has', () => {
    const s = setUp([user('ann')], [entry('bob', 'uuid-ann', 'uid=ann,ou=people', 'ann@example.com')], undefined, { hasOrgScript: false, others: new Map([['bob', { id: 'id-local-bob', orgName: 'Local' }]]) });
    decideMatched(s.d, s.facts(0), 'bob', 'bob', 0);
    expect(s.out.changes.map((c) => c.reason)).toEqual(['The entry\'s username changed from "ann" to "bob", but a user of "Local" already has that name. The username stays "ann".']);
  });
});

describe('rule: DN change', () => {
  it('tells a rename, a move to another OU, and both apart', () => {
    expect(dnChangeOf('uid=ann,ou=people,dc=x', 'uid=anne,ou=people,dc=x')).toBe('renamed');
    expect(dnChangeOf('CN=Ann,OU=Sales,DC=x', 'CN=Ann,OU=Staff,DC=x')).toBe('moved');
    expect(dnChangeOf('CN=Ann,OU=Sales,DC=x', 'CN=Anne,OU=Staff,DC=x')).toBe('renamed and moved');
  });

  it('sees no change in a DN spelled differently (case of types and values, spaces, escapes)', () => {
    expect(dnChangeOf('CN=Ann Smith,OU=Sales,DC=x', 'cn=ann smith, ou=sales, dc=X')).toBeNull();
    expect(dnChangeOf('cn=Smith\\, Ann,dc=x', 'cn=Smith\\2C Ann,dc=x')).toBeNull();
  });

  it('shows a matched user whose entry moved, from the old DN to the new one, without counting it as a deactivation', () => {
    const s = setUp([user('ann')], [entry('ann', 'uuid-ann', 'uid=ann,ou=staff')], [ok()], { hasOrgScript: false });
    decideMatched(s.d, s.facts(0), 'ann', 'ann', 0);
    expect(s.out.changes).toMatchObject([
      { action: 'dn', username: 'ann', userId: 'id-ann', from: 'uid=ann,ou=people', to: 'uid=ann,ou=staff', reason: 'Moved to another container in the directory; the same entry (directory ID unchanged), so the user keeps their account',
        data: { kind: 'dn', dn: 'uid=ann,ou=staff', directoryId: 'entryUUID:uuid-ann' } },
    ]);
    expect(s.out.counts).toMatchObject({ dnChanged: 1, deactivated: 0 });
    expect(s.out.seen).toEqual([{ id: 'id-ann', dn: 'uid=ann,ou=staff', directoryId: 'entryUUID:uuid-ann', changed: true }]);
  });

  it('shows no DN change for a user first seen by this server (another server\'s DN, or none)', () => {
    const s = setUp([user('ann', { sourceServerId: 'srv-other' }), user('bob', { sourceDn: null })], [entry('ann', 'uuid-ann', 'uid=ann,ou=x'), entry('bob', 'uuid-bob', 'uid=bob,ou=x')], undefined, { hasOrgScript: false });
    decideMatched(s.d, s.facts(0), 'ann', 'ann', 0);
    decideMatched(s.d, s.facts(1), 'bob', 'bob', 1);
    expect(s.out.changes).toEqual([]);
    expect(s.out.seen.map((x) => x.id)).toEqual(['id-ann', 'id-bob']);
  });
});

describe('rule: reused username', () => {
  it('says an entry is another one only when both directory IDs are known, of the same kind, and differ', () => {
    expect(isReusedUsername('objectGUID:b', 'objectGUID:a')).toBe(true);
    expect(isReusedUsername('objectGUID:a', 'objectGUID:a')).toBe(false);
    expect(isReusedUsername('entryUUID:b', 'nsUniqueId:a')).toBe(false);
    expect(isReusedUsername(null, 'entryUUID:a')).toBe(false);
    expect(isReusedUsername('entryUUID:b', null)).toBe(false);
  });

  it('plans a change of its own naming both IDs, deactivating the old account and counting it toward the hold limits', () => {
    const s = setUp([user('ann')], [entry('ann', 'uuid-new', 'uid=ann,ou=new')]);
    matchByDirectoryId(s.collected, s.users, s.duplicates, s.matches);
    matchByUsername(s.collected, s.users, s.byKey, s.duplicates, s.matches);
    decideReused(s.d, s.facts(0), 'ann', 0);
    const [c] = s.out.changes;
    expect(c).toMatchObject({ action: 'reused', username: 'ann', userId: 'id-ann', dn: 'uid=ann,ou=new', from: 'entryUUID:uuid-ann', to: 'entryUUID:uuid-new' });
    expect(c.data).toEqual({ kind: 'deactivate', reason: 'Username taken by a different directory entry (entryUUID:uuid-new)' });
    expect(c.reason).toContain('(entryUUID:uuid-new, uid=ann,ou=new) than the user\'s (entryUUID:uuid-ann)');
    expect(c.reason).toContain('ldap-sync users relink ann');
    expect(s.out.counts).toMatchObject({ reused: 1, deactivated: 1, created: 0 });
    // The old account is missing (its entry is gone), but not deactivated a second time as unreturned.
    expect(deactivateUnreturned(s.users, s.matches, s.out).gone).toEqual(['id-ann']);
    expect(s.out.changes).toHaveLength(1);
  });

  it('still shows a reused username whose old account is already inactive, with nothing to apply', () => {
    const s = setUp([user('ann', { active: false, deactivatedBy: 'sync', missing: true })], [entry('ann', 'uuid-new')]);
    decideReused(s.d, s.facts(0), 'ann', 0);
    expect(s.out.changes).toMatchObject([{ action: 'reused', data: null }]);
    expect(s.out.changes[0].reason).not.toContain('is deactivated');
    expect(s.out.counts).toMatchObject({ reused: 1, deactivated: 0 });
  });
});

describe('rule: decide new', () => {
  it('creates no user for an entry without an email, naming the attribute and the fix', () => {
    const s = setUp([], [entry('ann', null, undefined, null)], [ok({ org: 'Dept A' })]);
    decideNew(s.d, s.facts(0), 'ann', 'ann');
    expect(s.out.changes).toMatchObject([{ action: 'error', username: 'ann', userId: null }]);
    expect(s.out.changes[0].reason).toBe('No email: the entry has no "mail" value, so no user is created. Fill in mail in the directory, or map email to another attribute (in Active Directory, userPrincipalName).');
    const unmapped = setUp([], [entry('ann')], [ok({ org: 'Dept A' })], { mapping: { email: '', firstName: '', lastName: '' } });
    decideNew(unmapped.d, unmapped.facts(0), 'ann', 'ann');
    expect(unmapped.out.changes[0].reason).toMatch(/^No email: email is not mapped to an attribute, so no user is created\. Map email/);
  });

  it('keeps a matched user without an email in the entry as they are (no error, the stored email stays)', () => {
    const s = setUp([user('ann')], [entry('ann', 'uuid-ann', undefined, null)], [ok()], { hasOrgScript: false });
    decideMatched(s.d, s.facts(0), 'ann', 'ann', 0);
    expect(s.out.changes).toEqual([]);
  });

  it('creates an active entry in the organization its Org name script names', () => {
    const s = setUp([], [entry('ann', 'uuid-ann')], [ok({ org: ' dept a ' })]);
    decideNew(s.d, s.facts(0), 'ann', 'ann');
    expect(s.out.changes).toMatchObject([{ action: 'create', username: 'ann', to: 'Dept A', data: { kind: 'create', orgId: 'org-a', directoryId: 'entryUUID:uuid-ann' } }]);
  });

  it('creates nothing for an inactive entry, nor when the server does not create users', () => {
    const inactive = setUp([], [entry('ann')], [ok({ active: false, org: 'Dept A' })]);
    decideNew(inactive.d, inactive.facts(0), 'ann', 'ann');
    const off = setUp([], [entry('ann')], [ok({ org: 'Dept A' })], { createUsers: false });
    decideNew(off.d, off.facts(0), 'ann', 'ann');
    expect([...inactive.out.changes, ...off.out.changes]).toEqual([]);
  });

  it('uses the default organization only when it signs in with this server', () => {
    const s = setUp([], [entry('ann')], [ok()], { defaultOrgId: 'org-local' });
    decideNew(s.d, s.facts(0), 'ann', 'ann');
    expect(s.out.changes.map((c) => c.reason)).toEqual([
      'The default organization "Local" does not sign in with "Corporate". Set its authentication to this server, or choose another default organization. No user is created.',
    ]);
  });

  it('names the user of another organization that already has the username', () => {
    const s = setUp([], [entry('ann')], [ok({ org: 'Dept A' })], { others: new Map([['ann', { id: 'id-x', orgName: 'Local' }]]) });
    decideNew(s.d, s.facts(0), 'ann', 'ann');
    expect(s.out.changes).toMatchObject([{ action: 'error', userId: 'id-x' }]);
  });
});

describe('rule: deactivate unreturned', () => {
  it('deactivates active users no entry returned and lists users not yet missing as gone', () => {
    const s = setUp([user('ann'), user('bob', { active: false }), user('carl', { missing: true })], []);
    const { gone, activeBefore } = deactivateUnreturned(s.users, s.matches, s.out);
    expect(gone).toEqual(['id-ann', 'id-bob']);
    expect(activeBefore).toBe(2);
    expect(s.out.changes.map((c) => `${c.action} ${c.username}: ${c.reason}`)).toEqual(['deactivate ann: Not returned by the search', 'deactivate carl: Not returned by the search']);
  });
});

describe('messages', () => {
  it('labels a script error with its script unless the message names it already', () => {
    expect(scriptMessage({ script: 'roleName', code: 'SCRIPT_THROWN', message: 'x is not defined', line: 2 })).toBe('Role name script: x is not defined (line 2)');
    expect(scriptMessage({ script: 'active', code: 'SCRIPT_RETURN_TYPE', message: 'The Active script returned 3' })).toBe('The Active script returned 3');
  });

  it('lists at most three entries of a duplicated username', () => {
    expect(duplicateUsername('ann', ['a', 'b', 'c', 'd'])).toBe('The username "ann" is returned by 4 entries (a; b; c; ...). Fix the directory or the search filter; the user is left as is.');
  });
});
