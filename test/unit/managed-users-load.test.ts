import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { openStore } from '../../src-main/store/db';
import type { ManagedUser } from '../../src-main/store/managed-users';
import { insertOrganization } from '../../src-main/store/organizations-repo';
import { insertRole } from '../../src-main/store/roles-repo';
import { insertServer } from '../../src-main/store/servers-repo';
import { insertUser, loadManagedUsers, loadManagedUsersInTurns, MANAGED_PAGE, otherUsers, otherUsersInTurns, setUserActive, userStatusStatements } from '../../src-main/store/users-repo';
import { serverRow } from './server-row';

// The managed users come folded (flags, NULLs for values like another's, role ids as one text) and
// handed over by a SQL function (see managed-users-load.ts); these tests hold them to what the rows
// say, read here one plain column at a time.

const SERVER = 'srv-1';

function withStore(fn: (db: Database.Database) => void | Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'managed-load-'));
    const store = openStore(join(dir, 'store.sqlite'));
    try {
      const db = store.db;
      insertServer(db, serverRow());
      insertServer(db, serverRow({ id: 'srv-2', name: 'Other', passwordRef: { kind: 'keychain', account: 'server:srv-2' } }));
      await fn(db);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The managed users of `serverId` in rowid order, each column read as it is (the reference). */
function plainRead(db: Database.Database, serverId: string): ManagedUser[] {
  const rows = db
    .prepare(
      `SELECT u.* FROM users u JOIN organizations o ON o.id = u.org_id WHERE o.auth_server_id = ? ORDER BY u.rowid`,
    )
    .all(serverId) as Record<string, string | number | null>[];
  const roles = db.prepare(`SELECT role_id FROM user_roles WHERE user_id = ?`).pluck();
  return rows.map((r) => ({
    id: r.id as string,
    username: r.username as string,
    usernameKey: r.username_key as string,
    email: r.email as string | null,
    firstName: r.first_name as string | null,
    lastName: r.last_name as string | null,
    orgId: r.org_id as string,
    active: r.active === 1,
    deactivatedBy: r.deactivated_by as ManagedUser['deactivatedBy'],
    directoryId: r.directory_id as string | null,
    sourceDn: r.source_dn as string | null,
    sourceServerId: r.source_server_id as string | null,
    missing: r.missing === 1,
    roleIds: (roles.all(r.id) as string[]).sort(),
  }));
}

describe('loading the managed users', () => {
  it(
    'reads every value as stored: separator and control characters, a username key of its own, absent names and emails, another or no source server, no or several roles',
    withStore(async (db) => {
      const mine = insertOrganization(db, { name: 'Mine', authServerId: SERVER });
      const mine2 = insertOrganization(db, { name: 'Mine too', authServerId: SERVER });
      const theirs = insertOrganization(db, { name: 'Theirs', authServerId: 'srv-2' });
      const a = insertRole(db, 'Auditor').id;
      const b = insertRole(db, 'Buyer').id;
      const ids: string[] = [];
      const add = (over: Parameters<typeof insertUser>[1]) => ids.push(insertUser(db, over));
      add({ username: 'plain', orgId: mine.id, email: 'p@x', firstName: 'Ann', lastName: 'Lee', roleIds: [a], sourceServerId: SERVER, sourceDn: 'uid=plain', directoryId: 'entryUUID:1' });
      add({ username: 'Capital', orgId: mine2.id, roleIds: [b, a] });
      add({ username: 'sep', orgId: mine.id, firstName: 'A\x1fB', lastName: '\x1f', email: '\x1f\x1e', sourceDn: 'uid=a\x1fb', directoryId: '\x1f', roleIds: [b] });
      add({ username: 'sep-last', orgId: mine.id, firstName: '', lastName: 'x\x1f,y', sourceServerId: 'srv-2' });
      add({ username: 'empty-names', orgId: mine2.id, firstName: '', lastName: '', email: '', sourceDn: '', directoryId: '' });
      add({ username: 'commas', orgId: mine.id, firstName: 'a,b', lastName: ',', roleIds: [a, b] });
      add({ username: 'theirs', orgId: theirs.id, roleIds: [a] });
      add({ username: 'Ünïcödé-名前', orgId: mine.id, firstName: 'Zoë', lastName: '名', email: 'ü@x', sourceDn: 'cn=Ünïcödé', sourceServerId: SERVER });
      setUserActive(db, ids[1], false);
      userStatusStatements(db).deactivate(ids[2], new Date().toISOString(), 'sync', 'gone');
      db.prepare(`UPDATE users SET missing = 1 WHERE id = ?`).run(ids[3]);

      const expected = plainRead(db, SERVER);
      expect(expected).toHaveLength(7);
      const atOnce = loadManagedUsers(db, SERVER);
      const inTurns = await loadManagedUsersInTurns(db, SERVER, async () => {});
      for (const users of [atOnce, inTurns]) {
        expect(Array.from({ length: users.length }, (_, i) => users.at(i))).toEqual(expected);
      }
      // Repeating values share one string, repeating role lists one array.
      expect(atOnce.roleIds[1]).toBe(atOnce.roleIds[5]);
      expect(atOnce.orgId[0]).toBe(atOnce.orgId[2]);
      expect(loadManagedUsers(db, 'srv-none').length).toBe(0);
      // The SQL function that hands the rows over answers no one else.
      expect(() => db.prepare(`SELECT lss_managed_user_row(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)`).get()).toThrow(/only by the managed users load/);
    }),
  );

  it(
    'reads other organizations\' users (a few: organization by organization, pages spanning organizations; many: one pass over the table) and gives no turn when there are none',
    withStore(async (db) => {
      const mine = insertOrganization(db, { name: 'Mine', authServerId: SERVER });
      const theirs = insertOrganization(db, { name: 'Theirs', authServerId: 'srv-2' });
      const nobody = insertOrganization(db, { name: 'Nobody\'s' });
      insertOrganization(db, { name: 'Empty' });
      const turnsOf = async (serverId: string | null) => {
        let turns = 0;
        const map = await otherUsersInTurns(db, serverId, async () => {
          turns++;
        });
        return { map, turns };
      };
      db.transaction(() => {
        for (let i = 0; i < 5000; i++) insertUser(db, { username: `mine${i}`, orgId: mine.id });
      })();
      expect(await turnsOf(SERVER)).toEqual({ map: new Map(), turns: 0 });

      db.transaction(() => {
        for (let i = 0; i < MANAGED_PAGE + 300; i++) insertUser(db, { username: `User${i}`, orgId: i % 3 ? theirs.id : nobody.id });
      })();
      const plain = (serverId: string | null) =>
        new Map(
          (
            db
              .prepare(
                `SELECT u.username_key AS k, u.id, o.name FROM users u JOIN organizations o ON o.id = u.org_id
                WHERE ? IS NULL OR o.auth_server_id IS NULL OR o.auth_server_id <> ?`,
              )
              .all(serverId, serverId) as { k: string; id: string; name: string }[]
          ).map((r) => [r.k, { id: r.id, orgName: r.name }]),
        );
      for (const serverId of [SERVER, 'srv-2', null]) {
        const { map, turns } = await turnsOf(serverId);
        const expected = plain(serverId);
        expect(map).toEqual(expected);
        expect(otherUsers(db, serverId)).toEqual(expected);
        expect(turns).toBe(Math.floor(expected.size / MANAGED_PAGE));
      }
    }),
  );
});
