/** The writes of a registration: the user, their roles, local password and device in one transaction. */
import type Database from 'better-sqlite3';
import { findDeviceByName } from '../store/devices-repo';
import { setLocalPasswordHash } from '../store/local-passwords-repo';
import { insertDevice, insertUser, type NewUser } from '../store/users-repo';

/** Stores a registered user (with their local password hash and device, when given); returns the id. */
export function recordRegistration(db: Database.Database, user: NewUser, extra: { passwordHash: string | null; device: string | null }, now: Date): string {
  return db.transaction(() => {
    const id = insertUser(db, user, now);
    if (extra.passwordHash !== null) setLocalPasswordHash(db, id, extra.passwordHash, now);
    if (extra.device !== null) insertDevice(db, id, extra.device, now);
    return id;
  })();
}

/** Adds a device to a user unless they have one of that name (ignoring case); true when added. */
export function addDevice(db: Database.Database, userId: string, name: string, now: Date): boolean {
  return db.transaction(() => {
    if (findDeviceByName(db, userId, name) !== null) return false;
    insertDevice(db, userId, name, now);
    return true;
  })();
}
