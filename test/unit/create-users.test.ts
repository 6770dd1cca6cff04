import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { nameKey } from '../../src-main/store/name-key';
import { syncWrites, type SyncedUser } from '../../src-main/store/sync-writes';
import { planApplier, type ApplyChange } from '../../src-main/sync/apply';
import { applyStores } from './apply-fixture';

const DESKTOP_USER = '5d0f6a8e-3c1b-4e1f-9a57-2f4f3b8c1a01';
const ORG_ADMIN = '5d0f6a8e-3c1b-4e1f-9a57-2f4f3b8c1a02';
const SEEN = '2026-01-01T09:00:00.000Z';
const AT = '2026-01-01T10:00:00.000Z';

const newStore = applyStores('lss-create-users-');

/** `n` new users of organization `orgId` with 0 to 3 roles (some names and mails missing). */
function users(n: number, orgId: string): SyncedUser[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `user-${String(i).padStart(6, '0')}`,
    username: i % 7 === 0 ? `Ann.${i}` : `ann${i}`,
    email: i % 5 === 0 ? null : `ann${i}@example.com`,
    firstName: i % 11 === 0 ? null : 'Ann',
    lastName: `Lee ${i}`,
    orgId,
    roleIds: [[], [DESKTOP_USER], [DESKTOP_USER, ORG_ADMIN], [ORG_ADMIN]][i % 4],
    dn: `uid=ann${i},dc=example,dc=com`,
    directoryId: i % 3 === 0 ? null : `entryUUID:dir-${i}`,
  }));
}

/** The writes as they were made before users were created many per statement: one row at a time. */
function createOneByOne(db: Database.Database, list: readonly SyncedUser[]): void {
  const user = db.prepare(
    `INSERT INTO users (id, username, username_key, email, first_name, last_name, org_id, active, source_server_id, source_dn,
      directory_id, first_seen_at, last_seen_at, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const role = db.prepare(`INSERT INTO user_roles (user_id, role_id) VALUES (?, ?)`);
  for (const u of list) {
    user.run(u.id, u.username, nameKey(u.username), u.email, u.firstName, u.lastName, u.orgId, 'srv-1', u.dn, u.directoryId, SEEN, SEEN, AT, AT);
    for (const roleId of u.roleIds) role.run(u.id, roleId);
  }
}

/** Everything the creates write, rowids included. */
function contents(db: Database.Database) {
  return {
    users: db.prepare(`SELECT rowid AS rowid_, * FROM users ORDER BY rowid`).all(),
    roles: db.prepare(`SELECT * FROM user_roles ORDER BY user_id, role_id`).all(),
  };
}

/** What `write` throws inside a transaction (rolled back); undefined when it throws nothing. */
function thrown(db: Database.Database, write: () => void): { name: string; code: unknown; message: string } | undefined {
  try {
    db.transaction(write)();
  } catch (err) {
    const e = err as Error & { code?: unknown };
    return { name: e.name, code: e.code, message: e.message };
  }
  return undefined;
}

describe('creating many users at once', () => {
  it('stores exactly the rows of one insert per row, for any number of users', () => {
    for (const n of [1, 2, 3, 999, 1000, 1001, 2500]) {
      const batched = newStore(`batched-${n}`);
      const single = newStore(`single-${n}`);
      // Both stores get the same organization id, so their rows compare equal.
      single.db.prepare(`UPDATE organizations SET id = ?`).run(batched.orgId);
      const list = users(n, batched.orgId);
      batched.db.transaction(() => syncWrites(batched.db).createAll(list, 'srv-1', SEEN, AT))();
      single.db.transaction(() => createOneByOne(single.db, list))();
      expect(contents(batched.db)).toEqual(contents(single.db));
      expect(contents(batched.db).users).toHaveLength(n);
    }
  });

  it('fails with the error the single-row writes meet first, and the rollback leaves the store as it was', () => {
    const cases: [string, (list: SyncedUser[]) => void][] = [
      ['a username twice', (l) => (l[1700].username = ' ANN1 ')],
      ['a username already taken', (l) => (l[5].username = 'Taken')],
      ['an id already taken', (l) => (l[1200].id = 'user-taken')],
      ['an unknown organization before a username twice', (l) => ((l[300].orgId = 'no-such-org'), (l[800].username = 'ann2'))],
      ['a username twice before an unknown organization', (l) => ((l[300].username = 'ann2'), (l[800].orgId = 'no-such-org'))],
      ['an unknown role before a role twice', (l) => ((l[5].roleIds = ['no-such-role']), (l[900].roleIds = [DESKTOP_USER, DESKTOP_USER]))],
      ['a role twice before an unknown role', (l) => ((l[5].roleIds = [ORG_ADMIN, ORG_ADMIN]), (l[900].roleIds = ['no-such-role']))],
      ['a role twice before an unknown organization', (l) => ((l[5].roleIds = [ORG_ADMIN, ORG_ADMIN]), (l[900].orgId = 'no-such-org'))],
      ['an unknown role in the last, single user', (l) => (l[l.length - 1].roleIds = ['no-such-role'])],
    ];
    for (const [what, spoil] of cases) {
      const { db, orgId } = newStore(`failing-${cases.findIndex((c) => c[0] === what)}`);
      createOneByOne(db, [{ ...users(1, orgId)[0], id: 'user-taken', username: 'Taken' }]);
      const list = users(2001, orgId);
      spoil(list);
      const before = contents(db);
      const expected = thrown(db, () => createOneByOne(db, list));
      expect(expected, what).toBeDefined();
      expect(thrown(db, () => syncWrites(db).createAll(list, 'srv-1', SEEN, AT)), what).toEqual(expected);
      expect(contents(db), what).toEqual(before);
    }
  });

  it('applies a plan in order: the creates before another change are written before it', () => {
    const { db, orgId } = newStore('mixed');
    createOneByOne(db, [{ ...users(1, orgId)[0], id: 'old-carl', username: 'carl' }]);
    const create = (id: string, username: string): ApplyChange => ({ userId: id, data: { kind: 'create', ...users(1, orgId)[0], id, username } });
    const apply = planApplier(db, { serverId: 'srv-1', seenAt: SEEN, now: new Date(AT) });
    db.transaction(() =>
      apply.changes([
        create('new-dan', 'dan'),
        // Roles of a user created just before: it must exist by then (foreign key).
        { userId: 'new-dan', data: { kind: 'roles', roleIds: [ORG_ADMIN] } },
        // A username freed by a rename is taken by a create after it.
        { userId: 'old-carl', data: { kind: 'update', fields: { username: 'carl.old' } } },
        create('new-carl', 'Carl'),
      ]),
    )();
    expect(db.prepare(`SELECT id, username_key AS key FROM users ORDER BY id`).all()).toEqual([
      { id: 'new-carl', key: 'carl' },
      { id: 'new-dan', key: 'dan' },
      { id: 'old-carl', key: 'carl.old' },
    ]);
    expect(db.prepare(`SELECT role_id AS roleId FROM user_roles WHERE user_id = 'new-dan'`).all()).toEqual([{ roleId: ORG_ADMIN }]);
    // A create before a rename to its name: the rename fails, as it did one change at a time.
    const err = thrown(db, () => apply.changes([create('new-eve', 'eve'), { userId: 'old-carl', data: { kind: 'update', fields: { username: 'Eve' } } }]));
    expect(err).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: users.username_key' });
  });
});
