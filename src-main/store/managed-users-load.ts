/**
 * Loading the users a sync run plans against: the managed users of a server (as columns) and the
 * users of every other organization (for the planner's conflict checks), at once or in turns.
 */
import type Database from 'better-sqlite3';
import { ManagedUsers, StringPool, USER_ACTIVE, USER_DEACTIVATED_BY_ADMIN, USER_DEACTIVATED_BY_SYNC, USER_MISSING } from './managed-users';
import { prepared } from './statement-cache';

/**
 * Every user of the organizations whose authentication method is `serverId`, as columns, read in
 * one read transaction (tests, benches; a run uses {@link loadManagedUsersInTurns}).
 */
export function loadManagedUsers(db: Database.Database, serverId: string): ManagedUsers {
  return db.transaction(() => {
    const load = new ManagedUsersLoad(db, serverId);
    while (load.next(Infinity));
    return load.users;
  })();
}

/**
 * The same users as {@link loadManagedUsers}, in the same order, read in pages of
 * {@link MANAGED_PAGE} users with `breathe` awaited between them, so the main thread's event loop
 * is never held for the whole load. No transaction spans the pages: the app's IPC handlers share
 * the connection. A user an admin adds or removes during the load is seen or not, as if the change
 * came just before or after it (the run's apply happens later anyway).
 */
export async function loadManagedUsersInTurns(db: Database.Database, serverId: string, breathe: () => Promise<void>): Promise<ManagedUsers> {
  const load = new ManagedUsersLoad(db, serverId);
  while (load.next(MANAGED_PAGE)) await breathe();
  return load.users;
}

/** Users read per page by {@link loadManagedUsersInTurns} (and per statement by {@link loadManagedUsers}): ~3-4 ms of work on this project's 2-core machines. */
export const MANAGED_PAGE = 1000;

/**
 * A SQL function the page statement calls once per user, with the user's values as its arguments:
 * better-sqlite3 hands a function's arguments over as they are, where a row of 13 values costs it an
 * array grown one Set at a time on Node 20 (several times the cost of the values themselves). At
 * 100k users (bench:managed-load) that took the load from 555 to 368 ms of CPU. The function
 * only passes the values on to the load in progress; DIRECTONLY keeps it out of triggers and views.
 */
const ROW_FUNCTION = 'lss_managed_user_row';
type RowSink = (...row: ManagedRow) => void;
type ManagedRow = [
  id: string,
  username: string,
  usernameKey: string | null,
  email: string | null,
  firstName: string | null,
  lastName: string | null,
  orgId: string,
  flags: number,
  directoryId: string | null,
  sourceDn: string | null,
  sourceServerId: string | null,
  roleIds: string | null,
  rowid: number,
];
let sink: RowSink | null = null;
/** A bit of the flags argument beside the ManagedUsers flags (USER_FLAGS): the source server is the one loaded for, passed as NULL. */
const SOURCE_IS_SERVER = 16;
const USER_FLAGS = 15;
const withRowFunction = new WeakSet<Database.Database>();

function registerRowFunction(db: Database.Database): void {
  if (withRowFunction.has(db)) return;
  // Thirteen parameters spelled out: better-sqlite3 takes the function's length as its SQL arity.
  const row: (...r: ManagedRow) => number = (id, username, key, email, first, last, orgId, flags, directoryId, dn, source, roleIds, rowid) => {
    if (sink === null) throw new Error(`${ROW_FUNCTION} is called only by the managed users load`);
    sink(id, username, key, email, first, last, orgId, flags, directoryId, dn, source, roleIds, rowid);
    return 1;
  };
  db.function(ROW_FUNCTION, { deterministic: false, directOnly: true }, row as (...args: unknown[]) => number);
  withRowFunction.add(db);
}

/**
 * One page of managed users in rowid order (keyset pagination: each page starts after the last
 * rowid read, so no statement stays open between pages), each user given to ROW_FUNCTION.
 *
 * SQLite folds what would otherwise be allocated per user: the flags in one integer, NULL for a
 * username key equal to the username and for a source server that is the one loaded for, the role
 * ids as one group_concat text (a seek in user_roles' primary key, in its order: a handful of
 * distinct texts, each split once). "+" keeps SQLite off
 * the users_org index: going organization by organization through it fetches rows all over the
 * table, 25% slower at 100k. The users come in rowid order, the order of the one pass over the
 * table the query plan makes (the load checks it: a plan that sorted would call the function
 * before applying the LIMIT); it is the order in which a plan lists the users the search no
 * longer returns.
 */
const MANAGED_SQL = `SELECT ${ROW_FUNCTION}(u.id, u.username, NULLIF(u.username_key, u.username), u.email, u.first_name, u.last_name, u.org_id,
    u.active * ${USER_ACTIVE} + u.missing * ${USER_MISSING}
      + CASE u.deactivated_by WHEN 'sync' THEN ${USER_DEACTIVATED_BY_SYNC} WHEN 'admin' THEN ${USER_DEACTIVATED_BY_ADMIN} ELSE 0 END
      + ifnull(u.source_server_id = @serverId, 0) * ${SOURCE_IS_SERVER},
    u.directory_id, u.source_dn, NULLIF(u.source_server_id, @serverId),
    (SELECT group_concat(ur.role_id) FROM user_roles ur WHERE ur.user_id = u.id),
    u.rowid)
FROM users u
WHERE +u.org_id IN (SELECT id FROM organizations WHERE auth_server_id = @serverId) AND u.rowid > @after
ORDER BY u.rowid LIMIT @limit`;

/** A load of managed users, page by page. */
class ManagedUsersLoad {
  readonly users: ManagedUsers;
  // Values that repeat for many users: one string (or array) each.
  private readonly ids = new StringPool(); // organization, server and role ids
  private readonly names = new StringPool(); // given names and surnames
  private readonly roleLists = new Map<string, string[]>();
  private after = 0;
  private read = 0;
  private limit = 0;
  private done = false;
  // The last user's organization and roles (see add).
  private lastOrgId = '';
  private lastRoleText: string | null = null;
  private lastRoleList: string[] = [];
  /** Takes one user from ROW_FUNCTION into the columns. */
  private readonly add: RowSink = (id, username, usernameKey, email, firstName, lastName, orgId, flags, directoryId, sourceDn, sourceServerId, roleIds, rowid) => {
    if (rowid <= this.after || this.read >= this.limit) throw new Error('The managed users were not read in rowid order, a page at a time.');
    this.after = rowid;
    this.read++;
    const { users, ids, names } = this;
    // Users added since the count (between pages) do not fit the columns: as if added after the load.
    if (users.length === users.capacity) return;
    const source = flags & SOURCE_IS_SERVER ? this.serverId : ids.get(sourceServerId);
    // Neighbours often share an organization and roles: a comparison is cheaper than a lookup.
    if (orgId !== this.lastOrgId) this.lastOrgId = ids.get(orgId);
    const roleText = roleIds ?? '';
    if (roleText !== this.lastRoleText) {
      this.lastRoleText = roleText;
      this.lastRoleList = this.roleList(roleText);
    }
    users.add(id, username, usernameKey, email, names.get(firstName), names.get(lastName), this.lastOrgId, flags & USER_FLAGS, directoryId, sourceDn, source, this.lastRoleList);
  };

  constructor(
    private readonly db: Database.Database,
    private readonly serverId: string,
  ) {
    const { n } = prepared(db, `SELECT COUNT(*) AS n FROM users u JOIN organizations o ON o.id = u.org_id WHERE o.auth_server_id = @serverId`).get({ serverId }) as { n: number };
    this.users = new ManagedUsers(n);
    registerRowFunction(db);
  }

  /** Reads up to `limit` more users (in statements of at most MANAGED_PAGE rows); false once every user is read. */
  next(limit: number): boolean {
    let left = limit;
    while (!this.done && left > 0) {
      const page = Math.min(left, MANAGED_PAGE);
      left -= this.page(page);
    }
    return !this.done;
  }

  /** Reads one statement's worth of users; returns how many rows it read. */
  private page(limit: number): number {
    this.read = 0;
    this.limit = limit;
    const statement = prepared(this.db, MANAGED_SQL).pluck(true);
    sink = this.add;
    try {
      statement.all({ serverId: this.serverId, after: this.after, limit });
    } finally {
      sink = null;
    }
    if (this.read < limit) this.done = true;
    return this.read;
  }

  /** The shared, sorted array of the role ids in `text` (group_concat's, '' for none; role ids are UUIDs, never holding a comma). */
  private roleList(text: string): string[] {
    let list = this.roleLists.get(text);
    if (list === undefined) {
      list = text === '' ? [] : text.split(',').map((id) => this.ids.get(id)).sort();
      this.roleLists.set(text, list);
    }
    return list;
  }
}

/** Users of organizations `serverId` does not authenticate, by username key (for the planner's conflict checks). */
export function otherUsers(db: Database.Database, serverId: string | null): Map<string, { id: string; orgName: string }> {
  return db.transaction(() => {
    const load = new OtherUsersLoad(db, serverId);
    while (load.next(Infinity));
    return load.out;
  })();
}

/**
 * The same users as {@link otherUsers}, read in pages of {@link MANAGED_PAGE} with `breathe` awaited
 * between them (a draft of an unsaved server sees every user of the store as another's).
 */
export async function otherUsersInTurns(db: Database.Database, serverId: string | null, breathe: () => Promise<void>): Promise<Map<string, { id: string; orgName: string }>> {
  const load = new OtherUsersLoad(db, serverId);
  while (load.next(MANAGED_PAGE)) await breathe();
  return load.out;
}

/**
 * One load of other organizations' users, in one of two ways chosen by how many there are (usernames
 * are unique, so any order gives the same map):
 *   - few (under a quarter of the table): organization by organization, each page by page through
 *     the users_org index; a pass over the table would read every user to find them (a store of one
 *     server's 100k users: one 22 ms block to find none);
 *   - many (a draft of an unsaved server sees every user as another's): pages of one pass over the
 *     table in rowid order, 25-30% cheaper than fetching them all through the index.
 */
class OtherUsersLoad {
  readonly out = new Map<string, { id: string; orgName: string }>();
  private readonly orgs: { id: string; name: string; n: number }[];
  private readonly scan: boolean;
  private org = 0;
  private after = 0;
  private done = false;
  // Organization names repeat for every user of an organization: one string each (scan).
  private readonly names = new Map<string, string>();

  constructor(
    private readonly db: Database.Database,
    private readonly serverId: string | null,
  ) {
    const orgs = prepared(
      db,
      `SELECT o.id, o.name, (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id) AS n FROM organizations o
      WHERE @serverId IS NULL OR o.auth_server_id IS NULL OR o.auth_server_id <> @serverId ORDER BY o.rowid`,
    ).all({ serverId }) as { id: string; name: string; n: number }[];
    this.orgs = orgs.filter((o) => o.n > 0);
    const others = this.orgs.reduce((sum, o) => sum + o.n, 0);
    const { total } = prepared(db, `SELECT COUNT(*) AS total FROM users`).get() as { total: number };
    this.scan = others * 4 >= total && others > 0;
  }

  /** Reads up to `limit` more users (in statements of at most MANAGED_PAGE rows); false once every user is read. */
  next(limit: number): boolean {
    return this.scan ? this.nextByScan(limit) : this.nextByOrganization(limit);
  }

  private nextByOrganization(limit: number): boolean {
    let left = limit;
    while (this.org < this.orgs.length && left > 0) {
      const { id, name } = this.orgs[this.org];
      const page = Math.min(left, MANAGED_PAGE);
      const rows = prepared(this.db, `SELECT u.username_key, u.id, u.rowid FROM users u WHERE u.org_id = @orgId AND u.rowid > @after ORDER BY u.rowid LIMIT @limit`)
        .raw(true)
        .all({ orgId: id, after: this.after, limit: page }) as [string, string, number][];
      for (const r of rows) this.out.set(r[0], { id: r[1], orgName: name });
      left -= rows.length;
      if (rows.length < page) {
        this.org++;
        this.after = 0;
      } else {
        this.after = rows[rows.length - 1][2];
      }
    }
    return this.org < this.orgs.length;
  }

  private nextByScan(limit: number): boolean {
    let left = limit;
    while (!this.done && left > 0) {
      const page = Math.min(left, MANAGED_PAGE);
      const rows = prepared(
        this.db,
        `SELECT u.username_key, u.id, o.name, u.rowid FROM users u JOIN organizations o ON o.id = u.org_id
        WHERE (@serverId IS NULL OR o.auth_server_id IS NULL OR o.auth_server_id <> @serverId) AND u.rowid > @after
        ORDER BY u.rowid LIMIT @limit`,
      )
        .raw(true)
        .all({ serverId: this.serverId, after: this.after, limit: page }) as [string, string, string, number][];
      for (const r of rows) {
        let orgName = this.names.get(r[2]);
        if (orgName === undefined) this.names.set(r[2], (orgName = r[2]));
        this.out.set(r[0], { id: r[1], orgName });
      }
      left -= rows.length;
      if (rows.length > 0) this.after = rows[rows.length - 1][3];
      if (rows.length < page) this.done = true;
    }
    return !this.done;
  }
}
