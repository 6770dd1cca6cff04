/**
 * The managed-user load as it was before bench:managed-load was written (users-repo.ts at commit
 * 8e9fe21), kept only so the bench can compare it with the current one in the same run. Not used by
 * the app.
 */
import type Database from 'better-sqlite3';
import { ManagedUsers, StringPool, USER_ACTIVE, USER_DEACTIVATED_BY_ADMIN, USER_DEACTIVATED_BY_SYNC, USER_MISSING } from '../src-main/store/managed-users';
import { prepared } from '../src-main/store/statement-cache';

const MANAGED_PAGE = 1000;

/** The former loadManagedUsersInTurns. */
export async function legacyManagedUsersInTurns(db: Database.Database, serverId: string, breathe: () => Promise<void>): Promise<ManagedUsers> {
  const load = new ManagedUsersLoad(db, serverId);
  while (load.next(MANAGED_PAGE)) await breathe();
  return load.users;
}

/** The former otherUsersInTurns. */
export async function legacyOtherUsersInTurns(db: Database.Database, serverId: string | null, breathe: () => Promise<void>): Promise<Map<string, { id: string; orgName: string }>> {
  const load = new OtherUsersLoad(db, serverId);
  while (load.next(MANAGED_PAGE)) await breathe();
  return load.out;
}

type ManagedRow = [string, string, string | null, string | null, string | null, string | null, string, number, string | null, string | null, string | null, string, number];

/**
 * One load of managed users, page by page in rowid order (keyset pagination: each page starts after
 * the last rowid read, so no statement stays open between pages).
 *
 * SQLite does the folding that would otherwise allocate per row: the flags in one integer, NULL for
 * a username key equal to the username, and the role ids as one JSON text per user (a seek in
 * user_roles' primary key; a handful of distinct texts, each parsed once). Rows are iterated, not
 * read as one array: an array of 100k row arrays survives long enough to be copied into the old
 * generation, which made the load cost more in garbage collection than in SQLite. The users come in
 * rowid order, the order of the one pass over the table the query plan makes; it is the order in
 * which a plan lists the users the search no longer returns.
 */
class ManagedUsersLoad {
  readonly users: ManagedUsers;
  // Values that repeat for many users: one string (or array) each.
  private readonly ids = new StringPool(); // organization, server and role ids
  private readonly names = new StringPool(); // given names and surnames
  private readonly roleLists = new Map<string, string[]>();
  private after = 0;
  private done = false;

  constructor(
    private readonly db: Database.Database,
    private readonly serverId: string,
  ) {
    const { n } = prepared(db, `SELECT COUNT(*) AS n FROM users u JOIN organizations o ON o.id = u.org_id WHERE o.auth_server_id = @serverId`).get({ serverId }) as { n: number };
    this.users = new ManagedUsers(n);
  }

  /** Reads up to `limit` more users; false once every user is read. */
  next(limit: number): boolean {
    if (this.done) return false;
    const { users, ids, names, roleLists } = this;
    const rows = prepared(
      this.db,
      `SELECT u.id, u.username, NULLIF(u.username_key, u.username), u.email, u.first_name, u.last_name, u.org_id,
        u.active * ${USER_ACTIVE} + u.missing * ${USER_MISSING}
          + CASE u.deactivated_by WHEN 'sync' THEN ${USER_DEACTIVATED_BY_SYNC} WHEN 'admin' THEN ${USER_DEACTIVATED_BY_ADMIN} ELSE 0 END,
        u.directory_id, u.source_dn, u.source_server_id,
        (SELECT json_group_array(ur.role_id) FROM user_roles ur WHERE ur.user_id = u.id),
        u.rowid
      FROM users u
      -- One pass over the table in its own order ("+" keeps SQLite off the users_org index: going
      -- organization by organization through it fetches rows all over the table, 25% slower at 100k).
      WHERE +u.org_id IN (SELECT id FROM organizations WHERE auth_server_id = @serverId) AND u.rowid > @after
      ORDER BY u.rowid LIMIT @limit`,
    )
      .raw(true)
      .iterate({ serverId: this.serverId, after: this.after, limit: Number.isFinite(limit) ? limit : -1 }) as IterableIterator<ManagedRow>;
    let read = 0;
    for (const r of rows) {
      read++;
      this.after = r[12];
      // Users added since the count (between pages) do not fit the columns: as if added after the load.
      if (users.length === users.capacity) continue;
      let roleIds = roleLists.get(r[11]);
      if (roleIds === undefined) {
        roleIds = (JSON.parse(r[11]) as string[]).map((id) => ids.get(id)).sort();
        roleLists.set(r[11], roleIds);
      }
      users.add(r[0], r[1], r[2], r[3], names.get(r[4]), names.get(r[5]), ids.get(r[6]), r[7], r[8], r[9], ids.get(r[10]), roleIds);
    }
    if (read < limit) this.done = true;
    return !this.done;
  }
}

/** One load of other organizations' users, page by page in rowid order (usernames are unique: any order gives the same map). */
class OtherUsersLoad {
  readonly out = new Map<string, { id: string; orgName: string }>();
  // Organization names repeat for every user of an organization: one string each.
  private readonly names = new Map<string, string>();
  private after = 0;
  private done = false;

  constructor(
    private readonly db: Database.Database,
    private readonly serverId: string | null,
  ) {}

  /** Reads up to `limit` more users; false once every user is read. */
  next(limit: number): boolean {
    if (this.done) return false;
    const { out, names } = this;
    let read = 0;
    for (const r of prepared(
      this.db,
      `SELECT u.username_key, u.id, o.name, u.rowid FROM users u JOIN organizations o ON o.id = u.org_id
      WHERE (@serverId IS NULL OR o.auth_server_id IS NULL OR o.auth_server_id <> @serverId) AND u.rowid > @after
      ORDER BY u.rowid LIMIT @limit`,
    )
      .raw(true)
      .iterate({ serverId: this.serverId, after: this.after, limit: Number.isFinite(limit) ? limit : -1 }) as IterableIterator<[string, string, string, number]>) {
      read++;
      this.after = r[3];
      let orgName = names.get(r[2]);
      if (orgName === undefined) names.set(r[2], (orgName = r[2]));
      out.set(r[0], { id: r[1], orgName });
    }
    if (read < limit) this.done = true;
    return !this.done;
  }
}

