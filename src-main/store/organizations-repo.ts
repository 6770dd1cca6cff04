import { randomBytes, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors';
import { nameKey } from './name-key';
import { prepared } from './statement-cache';

/** A stored organization. */
export interface OrganizationRow {
  id: string;
  name: string;
  parentId: string | null;
  authServerId: string | null;
  registrationKey: string;
  createdAt: string;
  updatedAt: string;
}

/** What a new organization needs. */
export interface NewOrganization {
  name: string;
  parentId?: string | null;
  authServerId?: string | null;
}

const COLUMNS = `id, name, parent_id AS parentId, auth_server_id AS authServerId, registration_key AS registrationKey,
  created_at AS createdAt, updated_at AS updatedAt`;

/** Every organization, ordered by name (case-insensitive). */
export function listOrganizations(db: Database.Database): OrganizationRow[] {
  return prepared(db, `SELECT ${COLUMNS} FROM organizations ORDER BY name_key, id`).all() as OrganizationRow[];
}

/** The name keys (trimmed, lower-cased) of every organization, for case-insensitive matching. */
export function organizationNameKeys(db: Database.Database): Set<string> {
  return new Set((prepared(db, `SELECT name_key AS k FROM organizations`).all() as { k: string }[]).map((r) => r.k));
}

/**
 * Stores a new organization with a fresh id and registration key.
 * Throws AppError('CONFLICT') when an organization already has that name (ignoring case).
 */
export function insertOrganization(db: Database.Database, org: NewOrganization, now: Date = new Date()): OrganizationRow {
  const name = org.name.trim();
  if (name === '') throw new AppError('INVALID_INPUT', 'Enter a name for the organization.', [{ path: 'name', message: 'Enter a name' }]);
  if (org.parentId && !getOrganization(db, org.parentId)) {
    const text = 'The parent organization no longer exists.';
    throw new AppError('INVALID_INPUT', text, [{ path: 'parentId', message: text }]);
  }
  const at = now.toISOString();
  const row: OrganizationRow = {
    id: randomUUID(),
    name,
    parentId: org.parentId ?? null,
    authServerId: org.authServerId ?? null,
    registrationKey: randomBytes(16).toString('hex'),
    createdAt: at,
    updatedAt: at,
  };
  try {
    prepared(
      db,
      `INSERT INTO organizations (id, name, name_key, parent_id, auth_server_id, registration_key, created_at, updated_at)
      VALUES (@id, @name, @nameKey, @parentId, @authServerId, @registrationKey, @createdAt, @updatedAt)`,
    ).run({ ...row, nameKey: nameKey(name) });
  } catch (error) {
    throw orgWriteError(error, name);
  }
  return row;
}

/** One organization by id, or undefined. */
export function getOrganization(db: Database.Database, id: string): OrganizationRow | undefined {
  return prepared(db, `SELECT ${COLUMNS} FROM organizations WHERE id = @id`).get({ id }) as OrganizationRow | undefined;
}

/** One organization by name (ignoring case and surrounding spaces), or undefined. */
export function findOrganizationByName(db: Database.Database, name: string): OrganizationRow | undefined {
  return prepared(db, `SELECT ${COLUMNS} FROM organizations WHERE name_key = @k`).get({ k: nameKey(name) }) as OrganizationRow | undefined;
}

/**
 * Renames an organization and sets its parent and authentication method. Refuses a parent that is
 * the organization itself or one of its descendants, and a name another organization has.
 */
export function updateOrganization(
  db: Database.Database,
  id: string,
  org: { name: string; parentId: string | null; authServerId: string | null },
  now: Date = new Date(),
): OrganizationRow {
  const name = org.name.trim();
  if (name === '') throw new AppError('INVALID_INPUT', 'Enter a name for the organization.', [{ path: 'name', message: 'Enter a name' }]);
  if (!getOrganization(db, id)) throw new AppError('NOT_FOUND', 'This organization no longer exists.');
  if (org.parentId !== null && wouldCycle(db, id, org.parentId)) {
    const text = 'An organization cannot be inside itself or one of its own sub-organizations. Choose another parent.';
    throw new AppError('INVALID_INPUT', text, [{ path: 'parentId', message: text }]);
  }
  try {
    prepared(
      db,
      `UPDATE organizations SET name = @name, name_key = @nameKey, parent_id = @parentId, auth_server_id = @authServerId, updated_at = @at WHERE id = @id`,
    ).run({ id, name, nameKey: nameKey(name), parentId: org.parentId, authServerId: org.authServerId, at: now.toISOString() });
  } catch (error) {
    throw orgWriteError(error, name);
  }
  return getOrganization(db, id)!;
}

/** Deletes an organization that has no users and no sub-organizations. */
export function deleteOrganization(db: Database.Database, id: string): void {
  const org = getOrganization(db, id);
  if (!org) throw new AppError('NOT_FOUND', 'This organization no longer exists.');
  const users = (prepared(db, `SELECT COUNT(*) AS n FROM users WHERE org_id = @id`).get({ id }) as { n: number }).n;
  if (users > 0) throw new AppError('CONFLICT', `"${org.name}" still has ${users} user${users === 1 ? '' : 's'}. Move them to another organization first.`);
  const children = (prepared(db, `SELECT COUNT(*) AS n FROM organizations WHERE parent_id = @id`).get({ id }) as { n: number }).n;
  if (children > 0) throw new AppError('CONFLICT', `"${org.name}" has ${children} sub-organization${children === 1 ? '' : 's'}. Move or delete them first.`);
  prepared(db, `UPDATE servers SET default_org_id = NULL WHERE default_org_id = @id`).run({ id });
  prepared(db, `DELETE FROM organizations WHERE id = @id`).run({ id });
}

/** True when making `parentId` the parent of `id` would put `id` inside itself. */
function wouldCycle(db: Database.Database, id: string, parentId: string): boolean {
  let cur: string | null = parentId;
  for (let depth = 0; cur !== null && depth < 10_000; depth++) {
    if (cur === id) return true;
    const row = prepared(db, `SELECT parent_id AS p FROM organizations WHERE id = @id`).get({ id: cur }) as { p: string | null } | undefined;
    if (!row) {
      const text = 'The parent organization no longer exists.';
      throw new AppError('INVALID_INPUT', text, [{ path: 'parentId', message: text }]);
    }
    cur = row.p;
  }
  return false;
}

function orgWriteError(error: unknown, name: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new AppError('CONFLICT', `An organization named "${name}" already exists.`, [{ path: 'name', message: 'This name is taken' }]);
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new AppError('INVALID_INPUT', 'The parent organization or the LDAP server no longer exists.', [{ path: 'authServerId', message: 'Choose again' }]);
  }
  return error;
}
