import type Database from 'better-sqlite3';
import type { DeviceView } from '../../src-shared/domain/local-users';
import { prepared } from './statement-cache';

/** A user's devices, oldest first. */
export function listDevices(db: Database.Database, userId: string): DeviceView[] {
  const rows = prepared(
    db,
    `SELECT id, name, active, deactivated_at AS deactivatedAt, deactivated_by AS deactivatedBy, created_at AS createdAt
    FROM devices WHERE user_id = @userId ORDER BY created_at, rowid`,
  ).all({ userId }) as (Omit<DeviceView, 'active'> & { active: number })[];
  return rows.map((r) => ({ ...r, active: r.active === 1 }));
}

/** The id of a user's device with this name (ignoring case), or null. */
export function findDeviceByName(db: Database.Database, userId: string, name: string): string | null {
  const r = prepared(db, `SELECT id FROM devices WHERE user_id = @userId AND lower(name) = lower(@name)`).get({ userId, name }) as { id: string } | undefined;
  return r?.id ?? null;
}
