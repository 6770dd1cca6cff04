import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { DeactivatedBy, UserPage, UserQuery, UserSort, UserView } from '../../src-shared/domain/directory';
import { AppError } from '../../src-shared/errors';
import { nameKey } from './name-key';
import { prepared } from './statement-cache';

export { ManagedUsers, type ManagedUser } from './managed-users';
export { loadManagedUsers, loadManagedUsersInTurns, MANAGED_PAGE, otherUsers, otherUsersInTurns } from './managed-users-load';

/** What a new user needs (sync creation, tests, and later registration). */
export interface NewUser {
  id?: string;
  username: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  orgId: string;
  roleIds?: string[];
  sourceServerId?: string | null;
  sourceDn?: string | null;
  directoryId?: string | null;
  seenAt?: string | null;
}

/** Managed users and how many of them are active. */
export function managedCounts(db: Database.Database, serverId: string): { managed: number; active: number } {
  const r = prepared(
    db,
    `SELECT COUNT(*) AS managed, COALESCE(SUM(u.active), 0) AS active FROM users u JOIN organizations o ON o.id = u.org_id WHERE o.auth_server_id = @serverId`,
  ).get({ serverId }) as { managed: number; active: number };
  return r;
}

/** Stores a new, active user with their roles. Throws CONFLICT when the username is taken. */
export function insertUser(db: Database.Database, u: NewUser, now: Date = new Date()): string {
  const id = u.id ?? randomUUID();
  const at = now.toISOString();
  try {
    prepared(
      db,
      `INSERT INTO users (id, username, username_key, email, first_name, last_name, org_id, active, source_server_id, source_dn,
        directory_id, first_seen_at, last_seen_at, created_at, updated_at)
      VALUES (@id, @username, @k, @email, @firstName, @lastName, @orgId, 1, @src, @dn, @dirId, @seen, @seen, @at, @at)`,
    ).run({
      id,
      username: u.username,
      k: nameKey(u.username),
      email: u.email ?? null,
      firstName: u.firstName ?? null,
      lastName: u.lastName ?? null,
      orgId: u.orgId,
      src: u.sourceServerId ?? null,
      dn: u.sourceDn ?? null,
      dirId: u.directoryId ?? null,
      seen: u.seenAt ?? null,
      at,
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError('CONFLICT', `A user named "${u.username}" already exists.`);
    throw error;
  }
  const addRole = prepared(db, `INSERT INTO user_roles (user_id, role_id) VALUES (@id, @roleId)`);
  for (const roleId of u.roleIds ?? []) addRole.run({ id, roleId });
  return id;
}

/** Adds a device to a user (devices come from client registration, a later feature; tests use this). */
export function insertDevice(db: Database.Database, userId: string, name: string, now: Date = new Date()): string {
  const id = randomUUID();
  const user = prepared(db, `SELECT active FROM users WHERE id = @userId`).get({ userId }) as { active: number } | undefined;
  if (!user) throw new AppError('NOT_FOUND', 'This user no longer exists.');
  const at = now.toISOString();
  prepared(
    db,
    `INSERT INTO devices (id, user_id, name, active, deactivated_at, deactivated_by, created_at) VALUES (@id, @userId, @name, @active, @dat, @by, @at)`,
  ).run({ id, userId, name, active: user.active, dat: user.active ? null : at, by: user.active ? null : 'user', at });
  return id;
}

/** Statements that deactivate or reactivate a user together with their devices. */
export function userStatusStatements(db: Database.Database) {
  const deactivate = prepared(
    db,
    `UPDATE users SET active = 0, deactivated_at = @at, deactivated_by = @by, deactivated_reason = @reason, updated_at = @at WHERE id = @id AND active = 1`,
  );
  const deactivateDevices = prepared(db, `UPDATE devices SET active = 0, deactivated_at = @at, deactivated_by = 'user' WHERE user_id = @id AND active = 1`);
  const reactivate = prepared(
    db,
    `UPDATE users SET active = 1, deactivated_at = NULL, deactivated_by = NULL, deactivated_reason = NULL, updated_at = @at WHERE id = @id AND active = 0`,
  );
  const reactivateDevices = prepared(
    db,
    `UPDATE devices SET active = 1, deactivated_at = NULL, deactivated_by = NULL WHERE user_id = @id AND active = 0 AND deactivated_by = 'user'`,
  );
  return {
    deactivate(id: string, at: string, by: DeactivatedBy, reason: string): boolean {
      if (deactivate.run({ id, at, by, reason }).changes === 0) return false;
      deactivateDevices.run({ id, at });
      return true;
    },
    reactivate(id: string, at: string): boolean {
      if (reactivate.run({ id, at }).changes === 0) return false;
      reactivateDevices.run({ id });
      return true;
    },
  };
}

/** An admin deactivates (sync will not undo it) or reactivates a user, with their devices. */
export function setUserActive(db: Database.Database, id: string, active: boolean, now: Date = new Date()): boolean {
  if (!prepared(db, `SELECT 1 FROM users WHERE id = @id`).get({ id })) throw new AppError('NOT_FOUND', 'This user no longer exists.');
  const s = userStatusStatements(db);
  return db.transaction(() => (active ? s.reactivate(id, now.toISOString()) : s.deactivate(id, now.toISOString(), 'admin', 'Deactivated by an admin')))();
}

const VIEW_SELECT = `SELECT u.id, u.username, u.email, u.first_name AS firstName, u.last_name AS lastName, u.org_id AS orgId, o.name AS orgName,
  (SELECT group_concat(name, char(31)) FROM (SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id ORDER BY r.name_key)) AS roles,
  u.active, u.deactivated_at AS deactivatedAt, u.deactivated_by AS deactivatedBy, u.deactivated_reason AS deactivatedReason,
  u.source_server_id AS sourceServerId, s.name AS sourceServerName, u.source_dn AS sourceDn, u.directory_id AS directoryId,
  u.first_seen_at AS firstSeenAt,
  CASE WHEN u.missing = 1 OR u.source_server_id IS NULL THEN u.last_seen_at
    ELSE coalesce(max(u.last_seen_at, (SELECT max(r.started_at) FROM sync_runs r WHERE r.server_id = u.source_server_id AND r.status = 'applied')), u.last_seen_at) END AS lastSeenAt,
  (SELECT COUNT(*) FROM devices d WHERE d.user_id = u.id) AS devices,
  (SELECT COUNT(*) FROM devices d WHERE d.user_id = u.id AND d.active = 1) AS activeDevices
FROM users u JOIN organizations o ON o.id = u.org_id LEFT JOIN servers s ON s.id = u.source_server_id`;

type RawView = Omit<UserView, 'roles' | 'active'> & { roles: string | null; active: number };
const toView = ({ roles, active, ...r }: RawView): UserView => ({ ...r, active: active === 1, roles: roles ? roles.split('\x1f') : [] });

function likePattern(search: string): string {
  return `%${search.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A page of users, ordered by username, optionally searched (username, email, names) and limited to one organization. */
export function listUsers(db: Database.Database, q: UserQuery): UserPage {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: q.limit, offset: q.offset };
  if (q.search && q.search.trim() !== '') {
    where.push(`(u.username_key LIKE @p ESCAPE '\\' OR lower(u.email) LIKE @p ESCAPE '\\' OR lower(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) LIKE @p ESCAPE '\\')`);
    params.p = likePattern(q.search);
  }
  if (q.orgId) {
    where.push('u.org_id = @orgId');
    params.orgId = q.orgId;
  }
  if (q.status === 'active') where.push('u.active = 1');
  if (q.status === 'deactivated') where.push('u.active = 0');
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM users u ${clause}`).get(params) as { n: number }).n;
  const rows = (db.prepare(`${VIEW_SELECT} ${clause} ORDER BY ${orderBy(q.sort ?? 'username', q.descending ?? false)} LIMIT @limit OFFSET @offset`).all(params) as RawView[]).map(toView);
  return { total, offset: q.offset, rows };
}

// Sort keys by column (fixed SQL text, never from input). Empty values sort last either way; ties go by username.
const SORT_KEYS: Record<UserSort, string[]> = {
  username: ['u.username_key'],
  name: [`coalesce(u.first_name, u.last_name) IS NULL`, `lower(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, ''))`],
  email: ['u.email IS NULL', 'lower(u.email)'],
  org: ['lower(o.name)'],
  // Ascending: active users first, then the most recently deactivated.
  status: ['u.active = 0', `coalesce(u.deactivated_at, '') DESC`],
  source: ['s.name IS NULL', 'lower(s.name)', 'u.source_dn'],
};

function orderBy(sort: UserSort, descending: boolean): string {
  const keys = SORT_KEYS[sort].map((k) => {
    if (!descending || k.endsWith(' IS NULL')) return k;
    return k.endsWith(' DESC') ? k.slice(0, -5) : `${k} DESC`;
  });
  return [...keys, `u.username_key${descending && sort === 'username' ? ' DESC' : ''}`].join(', ');
}

/**
 * An admin deactivates or reactivates several users at once, with their devices, in one transaction:
 * every id must exist or nothing changes. Returns how many changed (the others already were so).
 */
export function setUsersActive(db: Database.Database, ids: readonly string[], active: boolean, now: Date = new Date()): { changed: number; unchanged: number } {
  const exists = prepared(db, `SELECT 1 FROM users WHERE id = @id`);
  const s = userStatusStatements(db);
  const at = now.toISOString();
  return db.transaction(() => {
    const unique = [...new Set(ids)];
    const missing = unique.filter((id) => !exists.get({ id })).length;
    if (missing > 0) {
      throw new AppError('NOT_FOUND', `${missing === 1 ? 'One of the chosen users no longer exists' : `${missing} of the chosen users no longer exist`}: nothing was changed. Reload the list and choose again.`);
    }
    let changed = 0;
    for (const id of unique) if (active ? s.reactivate(id, at) : s.deactivate(id, at, 'admin', 'Deactivated by an admin')) changed++;
    return { changed, unchanged: unique.length - changed };
  })();
}

/** Every user, ordered by username (streamed). */
export function* allUsers(db: Database.Database): IterableIterator<UserView> {
  for (const r of db.prepare(`${VIEW_SELECT} ORDER BY u.username_key`).iterate() as IterableIterator<RawView>) yield toView(r);
}

/** One user by id, or null. */
export function getUserView(db: Database.Database, id: string): UserView | null {
  const r = db.prepare(`${VIEW_SELECT} WHERE u.id = @id`).get({ id }) as RawView | undefined;
  return r ? toView(r) : null;
}

/** One user by username (ignoring case), or null. */
export function findUser(db: Database.Database, username: string): UserView | null {
  const r = db.prepare(`${VIEW_SELECT} WHERE u.username_key = @k`).get({ k: nameKey(username) }) as RawView | undefined;
  return r ? toView(r) : null;
}
