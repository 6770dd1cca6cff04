import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EntryInput, ScriptOutcome } from '../../src-main/scripts/engine';
import { openStore } from '../../src-main/store/db';
import type { ManagedUser } from '../../src-main/store/managed-users';
import { nameKey } from '../../src-main/store/name-key';
import { insertOrganization } from '../../src-main/store/organizations-repo';
import { insertServer } from '../../src-main/store/servers-repo';
import { insertUser, loadManagedUsers, loadManagedUsersInTurns, MANAGED_PAGE, otherUsers, otherUsersInTurns, setUserActive } from '../../src-main/store/users-repo';
import { Pacer, Planner, type ChangeData, type Plan, type PlanContext } from '../../src-main/sync/planner';
import { nextTurn } from '../../src-main/sync/plan/slices';
import { serverRow } from './server-row';

// Planning and loading the managed users give the event loop turns between slices of work, and
// give exactly what the work done at once gives.

const SERVER = 'srv-1';
const N = 20_000;

function user(i: number, over: Partial<ManagedUser> = {}): ManagedUser {
  const username = `user${i}`;
  return {
    id: `id-${i}`,
    username,
    usernameKey: nameKey(username),
    email: `${username}@example.com`,
    firstName: 'Ann',
    lastName: 'Smith',
    orgId: i % 2 ? 'org-a' : 'org-b',
    active: i % 97 !== 0,
    deactivatedBy: i % 97 === 0 ? 'sync' : null,
    directoryId: `entryUUID:uuid-${i}`,
    sourceDn: `uid=${username},ou=people`,
    sourceServerId: SERVER,
    missing: i % 89 === 0,
    roleIds: ['role-user'],
    ...over,
  };
}

/**
 * 20k entries over 20k managed users: most repeat their user, some are renamed (same entryUUID),
 * re-created (new entryUUID), moved, deactivated by their script, or new; some usernames come
 * twice; every 50th user is not returned.
 */
function scenario(): { ctx: PlanContext; pages: [EntryInput[], ScriptOutcome[]][] } {
  const managed = Array.from({ length: N }, (_, i) => user(i));
  const pages: [EntryInput[], ScriptOutcome[]][] = [];
  let page: [EntryInput[], ScriptOutcome[]] = [[], []];
  for (let i = 0; i < N + 2000; i++) {
    if (i < N && i % 50 === 0) continue;
    const uid = i % 211 === 0 ? `renamed${i}` : i % 307 === 0 ? `user${i - 1}` : `user${i}`;
    const uuid = i % 401 === 0 ? `uuid-new-${i}` : `uuid-${i}`;
    page[0].push({ dn: `uid=${uid},ou=people`, attributes: { uid: [uid], mail: [`user${i}@example.com`], givenName: ['Ann'], sn: [i % 13 ? 'Smith' : 'Jones'], entryUUID: [uuid] } });
    page[1].push({ active: i % 61 !== 0, org: i % 17 ? (i % 2 ? 'Dept A' : 'Dept B') : 'Dept A', roles: i % 23 ? ['Desktop User'] : ['Org Admin'], errors: [], logs: [] });
    if (page[0].length === 1000) {
      pages.push(page);
      page = [[], []];
    }
  }
  if (page[0].length) pages.push(page);
  const ctx: PlanContext = {
    serverId: SERVER,
    serverName: 'Corporate',
    usernameAttribute: 'uid',
    mapping: { email: 'mail', firstName: 'givenName', lastName: 'sn' },
    hasOrgScript: true,
    hasRoleScript: true,
    createUsers: true,
    defaultOrgId: null,
    orgs: [
      { id: 'org-a', name: 'Dept A', authServerId: SERVER },
      { id: 'org-b', name: 'Dept B', authServerId: SERVER },
    ],
    roles: [
      { id: 'role-admin', name: 'Org Admin' },
      { id: 'role-user', name: 'Desktop User' },
    ],
    managed,
    others: new Map([['renamed211', { id: 'id-local', orgName: 'Local' }]]),
  };
  return { ctx, pages };
}

/** The plan with each created user's id (new for each plan) replaced by its change's seq. */
function withoutNewIds(p: Plan): Plan {
  const changes = p.changes.map((c) => {
    const d = c.data as ChangeData | null;
    return d?.kind === 'create' ? { ...c, userId: `new-${c.seq}`, data: { ...d, id: `new-${c.seq}` } } : c;
  });
  return { ...p, changes };
}

describe('planning in turns', () => {
  it('gives the event loop turns during a 20k-entry plan and plans exactly what plan() plans at once', async () => {
    const { ctx, pages } = scenario();
    const atOnce = new Planner(ctx);
    for (const [entries, outcomes] of pages) atOnce.addPage(entries, outcomes);
    const expected = atOnce.plan();
    // The scenario reaches every kind of change.
    expect(Object.values(expected.counts).every((n) => n > 0)).toBe(true);

    let ticks = 0;
    let ticking = true;
    const tick = () => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const pacer = new Pacer(0);
    const inTurns = await Planner.inTurns(ctx, pacer);
    for (const [entries, outcomes] of pages) inTurns.addPage(entries, outcomes);
    const before = ticks;
    const plan = await inTurns.planInTurns(pacer);
    ticking = false;

    expect(withoutNewIds(plan)).toEqual(withoutNewIds(expected));
    // A pass stops every 1024 entries or users: a few dozen turns over 22k entries and 20k users.
    expect(pacer.turns).toBeGreaterThan(40);
    expect(ticks - before).toBeGreaterThan(40);
  });

  it('plans once, in turns too', async () => {
    const planner = new Planner(scenario().ctx);
    await planner.planInTurns(new Pacer(0));
    await expect(planner.planInTurns()).rejects.toThrow(/once/);
    expect(() => planner.plan()).toThrow(/once/);
  });
});

describe('loading the managed users in turns', () => {
  it('reads the same users in the same order as the load at once, a page of users per turn (and the same users of other organizations)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-in-turns-'));
    const store = openStore(join(dir, 'store.sqlite'));
    try {
      const db = store.db;
      insertServer(db, serverRow());
      insertServer(db, serverRow({ id: 'srv-2', name: 'Other', passwordRef: { kind: 'keychain', account: 'server:srv-2' } }));
      const mine = insertOrganization(db, { name: 'Mine', authServerId: SERVER });
      const mine2 = insertOrganization(db, { name: 'Mine too', authServerId: SERVER });
      const theirs = insertOrganization(db, { name: 'Theirs', authServerId: 'srv-2' });
      const total = 2 * MANAGED_PAGE + 123;
      db.transaction(() => {
        for (let i = 0; i < total + 1000; i++) {
          // Interleaved organizations, one of another server: the pages skip its users.
          const orgId = i % 7 === 3 ? theirs.id : i % 2 ? mine.id : mine2.id;
          const id = insertUser(db, { username: `User${i}`, orgId, email: i % 3 ? `u${i}@x` : null, directoryId: `entryUUID:${i}`, sourceServerId: SERVER, sourceDn: `uid=user${i}` });
          if (i % 11 === 0) setUserActive(db, id, false);
        }
      })();
      const atOnce = loadManagedUsers(db, SERVER);
      let turns = 0;
      const inTurns = await loadManagedUsersInTurns(db, SERVER, async () => {
        turns++;
        await nextTurn();
      });
      expect(inTurns.length).toBe(atOnce.length);
      expect(atOnce.length).toBeGreaterThan(2 * MANAGED_PAGE);
      expect(turns).toBe(Math.floor(atOnce.length / MANAGED_PAGE));
      for (let i = 0; i < atOnce.length; i++) {
        if (i % 500 === 0 || i === atOnce.length - 1) expect(inTurns.at(i)).toEqual(atOnce.at(i));
      }
      expect(inTurns.id).toEqual(atOnce.id);
      expect([...inTurns.flags]).toEqual([...atOnce.flags]);
      // The users of other organizations (every user, for a draft of an unsaved server), in turns too.
      for (const serverId of [SERVER, null]) {
        const others = await otherUsersInTurns(db, serverId, nextTurn);
        expect(others.size).toBeGreaterThan(serverId ? 100 : 2 * MANAGED_PAGE);
        expect([...others].sort()).toEqual([...otherUsers(db, serverId)].sort());
      }
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
