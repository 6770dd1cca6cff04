import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors';
import { nameKey } from './name-key';
import { prepared } from './statement-cache';

/** A stored role ("Desktop User" and "Org Admin" are seeded). */
export interface RoleRow {
  id: string;
  name: string;
  createdAt: string;
}

/** Every role, ordered by name (case-insensitive). */
export function listRoles(db: Database.Database): RoleRow[] {
  return prepared(db, `SELECT id, name, created_at AS createdAt FROM roles ORDER BY name_key, id`).all() as RoleRow[];
}

/** The name keys (trimmed, lower-cased) of every role, for case-insensitive matching. */
export function roleNameKeys(db: Database.Database): Set<string> {
  return new Set((prepared(db, `SELECT name_key AS k FROM roles`).all() as { k: string }[]).map((r) => r.k));
}

/** Stores a new role. Throws AppError('CONFLICT') when a role already has that name (ignoring case). */
export function insertRole(db: Database.Database, name: string, now: Date = new Date()): RoleRow {
  const trimmed = name.trim();
  if (trimmed === '') throw new AppError('INVALID_INPUT', 'Enter a name for the role.', [{ path: 'name', message: 'Enter a name' }]);
  const row: RoleRow = { id: randomUUID(), name: trimmed, createdAt: now.toISOString() };
  try {
    prepared(db, `INSERT INTO roles (id, name, name_key, created_at) VALUES (@id, @name, @nameKey, @createdAt)`).run({ ...row, nameKey: nameKey(trimmed) });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new AppError('CONFLICT', `A role named "${trimmed}" already exists.`, [{ path: 'name', message: 'This name is taken' }]);
    }
    throw error;
  }
  return row;
}

/** One role by name (ignoring case and surrounding spaces), or undefined. */
export function findRoleByName(db: Database.Database, name: string): RoleRow | undefined {
  return prepared(db, `SELECT id, name, created_at AS createdAt FROM roles WHERE name_key = @k`).get({ k: nameKey(name) }) as RoleRow | undefined;
}

/** Renames a role. Throws NOT_FOUND, CONFLICT (name taken) or INVALID_INPUT (empty). */
export function renameRole(db: Database.Database, id: string, name: string): RoleRow {
  const trimmed = name.trim();
  if (trimmed === '') throw new AppError('INVALID_INPUT', 'Enter a name for the role.', [{ path: 'name', message: 'Enter a name' }]);
  try {
    if (prepared(db, `UPDATE roles SET name = @name, name_key = @k WHERE id = @id`).run({ id, name: trimmed, k: nameKey(trimmed) }).changes === 0) {
      throw new AppError('NOT_FOUND', 'This role no longer exists.');
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new AppError('CONFLICT', `A role named "${trimmed}" already exists.`, [{ path: 'name', message: 'This name is taken' }]);
    }
    throw error;
  }
  return prepared(db, `SELECT id, name, created_at AS createdAt FROM roles WHERE id = @id`).get({ id }) as RoleRow;
}

/** Deletes a role no user has. */
export function deleteRole(db: Database.Database, id: string): void {
  const row = prepared(db, `SELECT name FROM roles WHERE id = @id`).get({ id }) as { name: string } | undefined;
  if (!row) throw new AppError('NOT_FOUND', 'This role no longer exists.');
  const n = (prepared(db, `SELECT COUNT(*) AS n FROM user_roles WHERE role_id = @id`).get({ id }) as { n: number }).n;
  if (n > 0) throw new AppError('CONFLICT', `${n} user${n === 1 ? ' has' : 's have'} the role "${row.name}". Take it away from them first (or change the Role name script and sync).`);
  prepared(db, `DELETE FROM roles WHERE id = @id`).run({ id });
}
