import { randomBytes, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors';
import { nameKey } from './name-key';
import { prepared } from './statement-cache';

/** A stored organization (minimal for now: the preview only checks script results against names). */
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
    if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new AppError('CONFLICT', `An organization named "${name}" already exists.`, [{ path: 'name', message: 'This name is taken' }]);
    }
    throw error;
  }
  return row;
}
