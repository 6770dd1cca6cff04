import type Database from 'better-sqlite3';
import { DEFAULT_SYNC_SETTINGS, SyncSettings } from '../../src-shared/domain/sync';
import { AppError } from '../../src-shared/errors';
import { prepared } from './statement-cache';

const SYNC_KEY = 'sync';

/** The global sync settings (the defaults until an admin saves some). */
export function readSyncSettings(db: Database.Database): SyncSettings {
  const row = prepared(db, `SELECT value_json AS v FROM settings WHERE key = @k`).get({ k: SYNC_KEY }) as { v: string } | undefined;
  if (!row) return structuredClone(DEFAULT_SYNC_SETTINGS);
  const parsed = SyncSettings.safeParse({ ...DEFAULT_SYNC_SETTINGS, ...JSON.parse(row.v) });
  if (!parsed.success) throw new AppError('STORE_REFUSED', `The sync settings in ${db.name} are unreadable. Save them again on the Sync screen.`);
  return parsed.data;
}

/** Saves the global sync settings (validated). */
export function writeSyncSettings(db: Database.Database, settings: SyncSettings): SyncSettings {
  const value = SyncSettings.parse(settings);
  prepared(db, `INSERT INTO settings (key, value_json) VALUES (@k, @v) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json`).run({
    k: SYNC_KEY,
    v: JSON.stringify(value),
  });
  return value;
}
