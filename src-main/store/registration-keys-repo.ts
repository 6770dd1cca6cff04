import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors';
import { getOrganization, type OrganizationRow } from './organizations-repo';
import { prepared } from './statement-cache';

/** A new registration key: 128 random bits as 32 hex digits (the form organizations are created with). */
export function newRegistrationKey(): string {
  return randomBytes(16).toString('hex');
}

/** The organization whose registration key is `key` (exact, case-sensitive), or undefined. */
export function organizationByRegistrationKey(db: Database.Database, key: string): OrganizationRow | undefined {
  const r = prepared(db, `SELECT id FROM organizations WHERE registration_key = @key`).get({ key }) as { id: string } | undefined;
  return r ? getOrganization(db, r.id) : undefined;
}

/** Gives an organization a new registration key; the old one stops working at once. Returns the new key. */
export function rotateRegistrationKey(db: Database.Database, orgId: string, now: Date = new Date()): string {
  const key = newRegistrationKey();
  const r = prepared(db, `UPDATE organizations SET registration_key = @key, updated_at = @at WHERE id = @orgId`).run({ key, orgId, at: now.toISOString() });
  if (r.changes === 0) throw new AppError('NOT_FOUND', 'This organization no longer exists.');
  return key;
}
