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

// Bits of the folded text's leading number. The low four are the ManagedUsers flags.
const SAME_KEY = 16;
const NO_FIRST_NAME = 32;
const NO_LAST_NAME = 64;
const SOURCE_IS_SERVER = 128;
const NO_SOURCE = 256;
const SEP = '\x1f';

/** id, username, email, directory id, source DN, the folded text (see MANAGED_SQL; its last value is the rowid). */
type ManagedRow = [string, string, string | null, string | null, string | null, string];

/**
 * One page of managed users in rowid order (keyset pagination: each page starts after the last
 * rowid read, so no statement stays open between pages).
 *
 * What it costs, measured at 100k users (bench:managed-load): every value better-sqlite3 hands over
 * is a call into V8 and a string the garbage collector later copies, and each row array costs
 * about as much as three values. So the values every user has of its own (id, username, email,
 * directory id, DN) come as columns, each its own string as the columns keep it; everything whose
 * value repeats (names, organization, source server, role ids) or is usually absent (a username
 * key other than the username) comes folded into one text behind a number of flags, split here
 * into short-lived slices and replaced by the one shared string (or array) of its value. Slicing
 * the unique values out of one text instead would be cheaper to read but keeps each row's whole
 * text alive behind the slices (+18 MB of heap at 100k). The role ids come as group_concat text
 * (a seek in user_roles' primary key, in its order), a handful of distinct texts each split once.
 *
 * "+" keeps SQLite off the users_org index: going organization by organization through it fetches
 * rows all over the table, 25% slower at 100k. The users come in rowid order, the order of the one
 * pass over the table the query plan makes; it is the order in which a plan lists the users the
 * search no longer returns.
 */
const MANAGED_SQL = `SELECT u.id, u.username, u.email, u.directory_id, u.source_dn,
  concat_ws(char(31),
    u.active * ${USER_ACTIVE} + u.missing * ${USER_MISSING}
      + CASE u.deactivated_by WHEN 'sync' THEN ${USER_DEACTIVATED_BY_SYNC} WHEN 'admin' THEN ${USER_DEACTIVATED_BY_ADMIN} ELSE 0 END
      + (u.username_key = u.username) * ${SAME_KEY} + (u.first_name IS NULL) * ${NO_FIRST_NAME} + (u.last_name IS NULL) * ${NO_LAST_NAME}
      + CASE WHEN u.source_server_id = @serverId THEN ${SOURCE_IS_SERVER} WHEN u.source_server_id IS NULL THEN ${NO_SOURCE} ELSE 0 END,
    CASE WHEN u.username_key = u.username THEN '' ELSE u.username_key END,
    coalesce(u.first_name, ''), coalesce(u.last_name, ''), u.org_id,
    CASE WHEN u.source_server_id = @serverId THEN '' ELSE coalesce(u.source_server_id, '') END,
    coalesce((SELECT group_concat(ur.role_id) FROM user_roles ur WHERE ur.user_id = u.id), ''),
    u.rowid)
FROM users u
WHERE +u.org_id IN (SELECT id FROM organizations WHERE auth_server_id = @serverId) AND u.rowid > @after
ORDER BY u.rowid LIMIT @limit`;

/**
 * One user by rowid with every value a column of its own: for the rare row whose folded text cannot
 * be split (a name holding the separator character).
 */
const ONE_SQL = `SELECT NULLIF(u.username_key, u.username), u.first_name, u.last_name, u.org_id, u.source_server_id,
  (SELECT group_concat(ur.role_id) FROM user_roles ur WHERE ur.user_id = u.id)
FROM users u WHERE u.rowid = @rowid`;

/** The rowid at the end of a row's folded text. */
const rowidOf = (r: ManagedRow): number => Number(r[5].slice(r[5].lastIndexOf(SEP) + 1));

/** A load of managed users, page by page. */
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
    const { users, ids, names, serverId } = this;
    const rows = prepared(this.db, MANAGED_SQL).raw(true).all({ serverId, after: this.after, limit }) as ManagedRow[];
    for (let k = 0; k < rows.length; k++) {
      // Users added since the count (between pages) do not fit the columns: as if added after the load.
      if (users.length === users.capacity) break;
      const r = rows[k];
      const s = r[5];
      let p = s.indexOf(SEP);
      let flags = 0;
      for (let i = 0; i < p; i++) flags = flags * 10 + s.charCodeAt(i) - 48;
      let q = s.indexOf(SEP, p + 1);
      const key = flags & SAME_KEY ? null : s.slice(p + 1, q);
      p = s.indexOf(SEP, q + 1);
      const first = flags & NO_FIRST_NAME ? null : names.get(s.slice(q + 1, p));
      q = s.indexOf(SEP, p + 1);
      const last = flags & NO_LAST_NAME ? null : names.get(s.slice(p + 1, q));
      p = s.indexOf(SEP, q + 1);
      const orgId = ids.get(s.slice(q + 1, p));
      q = s.indexOf(SEP, p + 1);
      const source = flags & SOURCE_IS_SERVER ? serverId : flags & NO_SOURCE ? null : ids.get(s.slice(p + 1, q));
      p = s.indexOf(SEP, q + 1);
      // Seven separators exactly, unless a value holds one: the remainder (the rowid) then does too.
      if (s.indexOf(SEP, p + 1) === -1) {
        users.add(r[0], r[1], key, r[2], first, last, orgId, flags & 15, r[3], r[4], source, this.roleList(s.slice(q + 1, p)));
      } else {
        this.addAsColumns(r, flags & 15);
      }
    }
    if (rows.length > 0) this.after = rowidOf(rows[rows.length - 1]);
    if (rows.length < limit) this.done = true;
    return rows.length;
  }

  /** The shared, sorted array of the role ids in `text` (group_concat's, '' for none). */
  private roleList(text: string): string[] {
    let list = this.roleLists.get(text);
    if (list === undefined) {
      list = text === '' ? [] : text.split(',').map((id) => this.ids.get(id)).sort();
      this.roleLists.set(text, list);
    }
    return list;
  }

  /** Adds the user of `r` with the folded values read again one column each. */
  private addAsColumns(r: ManagedRow, flags: number): void {
    const one = prepared(this.db, ONE_SQL).raw(true).get({ rowid: rowidOf(r) }) as [string | null, string | null, string | null, string, string | null, string | null];
    const { ids, names } = this;
    this.users.add(r[0], r[1], one[0], r[2], names.get(one[1]), names.get(one[2]), ids.get(one[3]), flags, r[3], r[4], ids.get(one[4]), this.roleList(one[5] ?? ''));
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
 * One load of other organizations' users: organization by organization (listed first), each
 * page by page in rowid order through the users_org index. Usernames are unique, so any order gives
 * the same map; going through the index reads only those users, where a pass over the table read
 * them all (a store of one server's 100k users: one 22 ms block to find none).
 */
class OtherUsersLoad {
  readonly out = new Map<string, { id: string; orgName: string }>();
  private readonly orgs: { id: string; name: string }[];
  private org = 0;
  private after = 0;

  constructor(
    private readonly db: Database.Database,
    serverId: string | null,
  ) {
    this.orgs = prepared(
      db,
      `SELECT o.id, o.name FROM organizations o
      WHERE (@serverId IS NULL OR o.auth_server_id IS NULL OR o.auth_server_id <> @serverId) AND EXISTS (SELECT 1 FROM users u WHERE u.org_id = o.id)
      ORDER BY o.rowid`,
    ).all({ serverId }) as { id: string; name: string }[];
  }

  /** Reads up to `limit` more users (in statements of at most MANAGED_PAGE rows); false once every user is read. */
  next(limit: number): boolean {
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
}
