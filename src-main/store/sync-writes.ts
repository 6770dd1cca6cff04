/**
 * The writes a sync's apply makes to users, as named operations (the SQL stays in the store).
 * Statements are prepared once per connection; creation, the bulk of a first sync, writes many
 * users per statement (create-users.ts).
 */
import type Database from 'better-sqlite3';
import { userCreator, type SyncedUser } from './create-users';
import { nameKey } from './name-key';
import { prepared } from './statement-cache';
import { userStatusStatements } from './users-repo';

export type { SyncedUser } from './create-users';

/** Field values to set (absent: unchanged). */
export type UserFields = Partial<Record<'username' | 'email' | 'firstName' | 'lastName', string>>;

/** The user writes of one apply, bound to `db`. `at` and `seenAt` are ISO times. */
export function syncWrites(db: Database.Database) {
  const status = userStatusStatements(db);
  const reactivate = prepared(
    db,
    `UPDATE users SET active = 1, deactivated_at = NULL, deactivated_by = NULL, deactivated_reason = NULL, updated_at = @at
    WHERE id = @id AND active = 0 AND deactivated_by = 'sync'`,
  );
  const reactivateDevices = prepared(db, `UPDATE devices SET active = 1, deactivated_at = NULL, deactivated_by = NULL WHERE user_id = @id AND active = 0 AND deactivated_by = 'user'`);
  const move = prepared(db, `UPDATE users SET org_id = @orgId, updated_at = @at WHERE id = @id`);
  const clearRoles = prepared(db, `DELETE FROM user_roles WHERE user_id = @id`);
  const addRole = prepared(db, `INSERT OR IGNORE INTO user_roles (user_id, role_id) VALUES (@id, @roleId)`);
  const update = prepared(
    db,
    `UPDATE users SET username = coalesce(@username, username), username_key = coalesce(@usernameKey, username_key),
      email = coalesce(@email, email), first_name = coalesce(@firstName, first_name), last_name = coalesce(@lastName, last_name), updated_at = @at
    WHERE id = @id`,
  );
  const seen = prepared(
    db,
    `UPDATE users SET source_server_id = @serverId, source_dn = @dn, directory_id = coalesce(@directoryId, directory_id),
      missing = 0, first_seen_at = coalesce(first_seen_at, @at), last_seen_at = @at WHERE id = @id`,
  );
  const gone = prepared(db, `UPDATE users SET missing = 1, last_seen_at = coalesce(@last, last_seen_at) WHERE id = @id`);
  const createUsers = userCreator(db);
  return {
    /** Deactivates an active user (and their devices) on behalf of sync. */
    deactivate(id: string, at: string, reason: string): void {
      status.deactivate(id, at, 'sync', reason);
    },
    /** Reactivates a user that sync (not an admin) deactivated, with the devices deactivated with them. */
    reactivate(id: string, at: string): void {
      if (reactivate.run({ id, at }).changes > 0) reactivateDevices.run({ id });
    },
    /** Creates a user of server `serverId`, active, seen at `seenAt`. */
    create(u: SyncedUser, serverId: string, seenAt: string, at: string): void {
      createUsers([u], serverId, seenAt, at);
    },
    /** Creates users in order, as {@link create} for each would (the same rows, the same first error), many per statement. */
    createAll(users: readonly SyncedUser[], serverId: string, seenAt: string, at: string): void {
      createUsers(users, serverId, seenAt, at);
    },
    /** Moves a user to another organization. */
    move(id: string, orgId: string, at: string): void {
      move.run({ id, orgId, at });
    },
    /** Replaces a user's roles. */
    setRoles(id: string, roleIds: readonly string[]): void {
      clearRoles.run({ id });
      for (const roleId of roleIds) addRole.run({ id, roleId });
    },
    /** Sets the given fields (a new username gets its key). */
    update(id: string, f: UserFields, at: string): void {
      update.run({
        id,
        at,
        username: f.username ?? null,
        usernameKey: f.username !== undefined ? nameKey(f.username) : null,
        email: f.email ?? null,
        firstName: f.firstName ?? null,
        lastName: f.lastName ?? null,
      });
    },
    /** Records where a user was seen (DN, directory ID kept when null, source server), no longer missing. */
    seen(id: string, serverId: string, dn: string, directoryId: string | null, seenAt: string): void {
      seen.run({ id, serverId, dn, directoryId, at: seenAt });
    },
    /** Marks a user the search no longer returns as missing, last seen at `lastSyncAt` (kept when null). */
    gone(id: string, lastSyncAt: string | null): void {
      gone.run({ id, last: lastSyncAt });
    },
  };
}
