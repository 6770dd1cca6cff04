/**
 * Creating many users at once, as a first sync does (100k in one transaction): multi-row INSERTs
 * of users and of their roles instead of one statement per row, with the same rows, the same
 * order and the same error as one row at a time.
 */
import type Database from 'better-sqlite3';
import { nameKey } from './name-key';
import { prepared } from './statement-cache';

/** A new user as a sync creates it. */
export interface SyncedUser {
  id: string;
  username: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  orgId: string;
  roleIds: readonly string[];
  dn: string;
  directoryId: string | null;
}

const USER_INSERT = `INSERT INTO users (id, username, username_key, email, first_name, last_name, org_id, active, source_server_id, source_dn,
      directory_id, first_seen_at, last_seen_at, created_at, updated_at) VALUES `;
/** One user's row: its own values positional, the server and times shared by the statement (bound once, not per row). */
const USER_ROW = `(?, ?, ?, ?, ?, ?, ?, 1, @serverId, ?, ?, @seenAt, @seenAt, @at, @at)`;
const USER_VALUES = 9;
const ROLE_INSERT = `INSERT INTO user_roles (user_id, role_id) VALUES `;
const ROLE_ROW = `(?, ?)`;

/**
 * Rows per statement at most. A multi-row INSERT runs in a statement journal (SQLite must be able
 * to undo half of it, here for its foreign-key checks, which it makes at the statement's end): each
 * statement copies the pages it changes that existed before it, and every page the cache spills
 * meanwhile, so few large statements cost less than many small ones (100k creates, CPU of the
 * apply: 100 users and their roles per statement -3%, 20 rows +40%, 500 to 2,000 rows -15 to -20%;
 * users alone per statement, roles one by one: no gain). 1000 users make 9,000 parameters, 1024
 * roles 2,048 (SQLite's limit: 32,766); the apply worker gets its changes 2,000 at a time
 * (apply-in-worker.ts): two full statements.
 */
const MOST_USERS = 1000;
const MOST_ROLES = 1024;

/**
 * The number of rows of the next statement for `left` rows: the most a statement takes, else the
 * largest power of two not above `left`. So a connection prepares at most ~11 sizes of each
 * statement (a 1000-row one takes ~2 ms to prepare), whatever the number of rows.
 */
function pieceOf(left: number, most: number): number {
  if (left >= most) return most;
  let n = 1;
  while (n * 2 <= left) n *= 2;
  return n;
}

/** A multi-row INSERT of `rows` rows prepared on `db` once, with a reused array for its positional values. */
function rowsStatement(db: Database.Database, head: string, row: string, width: number) {
  const bySize = new Map<number, { statement: Database.Statement; values: unknown[] }>();
  return (rows: number) => {
    let s = bySize.get(rows);
    if (!s) {
      s = { statement: prepared(db, head + new Array(rows).fill(row).join(', ')), values: new Array(rows * width) };
      bySize.set(rows, s);
    }
    return s;
  };
}

/**
 * Creates users in the order given, as inserting each user and then its roles one row at a time
 * would, bound to `db`. Returns `create(users, serverId, seenAt, at)`; users are active, seen at
 * `seenAt`. Call inside a transaction: a failure leaves rows written before it in place for the
 * caller's rollback, as the single-row writes would.
 */
export function userCreator(db: Database.Database) {
  const users = rowsStatement(db, USER_INSERT, USER_ROW, USER_VALUES);
  const roles = rowsStatement(db, ROLE_INSERT, ROLE_ROW, 2);
  // Role pairs (user id, role id) of the users of one statement, flat.
  const pairs: string[] = [];

  /** Writes user `u`'s values at `at` of `out`, in USER_ROW's order. */
  const userValues = (out: unknown[], at: number, u: SyncedUser) => {
    out[at] = u.id;
    out[at + 1] = u.username;
    out[at + 2] = nameKey(u.username);
    out[at + 3] = u.email;
    out[at + 4] = u.firstName;
    out[at + 5] = u.lastName;
    out[at + 6] = u.orgId;
    out[at + 7] = u.dn;
    out[at + 8] = u.directoryId;
  };

  /**
   * After a multi-row statement failed (SQLite undid it, the rows before it stay): the same rows
   * one at a time, so the error thrown is the one the single-row writes meet first (a multi-row
   * statement checks its foreign keys only at its end, so the error it reports may belong to a later
   * row). Only while the transaction it ran in is still open: an error that ended it (I/O, full
   * disk) is thrown as it is, nothing is written outside it.
   */
  const replay = (err: unknown, inTransaction: boolean, oneByOne: () => void): never => {
    if (db.inTransaction === inTransaction) oneByOne();
    throw err;
  };

  return (list: readonly SyncedUser[], serverId: string, seenAt: string, at: string): void => {
    const shared = { serverId, seenAt, at };
    const inTransaction = db.inTransaction;
    const one = users(1);
    const oneRole = roles(1);
    /** User `u` and its roles, one row at a time. */
    const createOne = (u: SyncedUser) => {
      userValues(one.values, 0, u);
      one.statement.run(one.values, shared);
      for (const roleId of u.roleIds) {
        oneRole.values[0] = u.id;
        oneRole.values[1] = roleId;
        oneRole.statement.run(oneRole.values);
      }
    };
    for (let from = 0; from < list.length; ) {
      const n = pieceOf(list.length - from, MOST_USERS);
      const to = from + n;
      if (n === 1) {
        createOne(list[from]);
        from = to;
        continue;
      }
      const s = users(n);
      pairs.length = 0;
      for (let i = 0; i < n; i++) {
        const u = list[from + i];
        userValues(s.values, i * USER_VALUES, u);
        for (const roleId of u.roleIds) pairs.push(u.id, roleId);
      }
      try {
        s.statement.run(s.values, shared);
      } catch (err) {
        replay(err, inTransaction, () => {
          for (let i = from; i < to; i++) createOne(list[i]);
        });
      }
      // The roles of these users, before the next users. No user's row depends on roles: once the
      // users' statement succeeded, the first error the single-row writes would meet here is a role's.
      const count = pairs.length / 2;
      for (let r = 0; r < count; ) {
        const k = pieceOf(count - r, MOST_ROLES);
        const rs = roles(k);
        for (let j = 0; j < 2 * k; j++) rs.values[j] = pairs[2 * r + j];
        try {
          rs.statement.run(rs.values);
        } catch (err) {
          replay(err, inTransaction, () => {
            for (let j = r; j < r + k; j++) {
              oneRole.values[0] = pairs[2 * j];
              oneRole.values[1] = pairs[2 * j + 1];
              oneRole.statement.run(oneRole.values);
            }
          });
        }
        r += k;
      }
      from = to;
    }
  };
}
