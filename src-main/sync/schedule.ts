/**
 * The schedule's arithmetic: when each server's next scheduled sync is due. A server is scheduled
 * when it manages an organization or creates users, is not offline, has no plan waiting for
 * approval, and a first sync was applied by hand (Synchronize now, `ldap-sync sync`): the schedule
 * never makes a server's first real changes before the admin has seen one. Its next sync comes one
 * period after its last attempt, sooner after a failure.
 */
import type Database from 'better-sqlite3';
import { everyToMs, type RunSummary, type ServerSyncStatus } from '../../src-shared/domain/sync';
import { listOrganizations } from '../store/organizations-repo';
import { heldRun, lastAppliedRun, lastSyncAttempt, latestFinishedRun } from '../store/runs-repo';
import { listServers } from '../store/servers-repo';
import { readSyncSettings } from '../store/settings-repo';
import { managedCounts } from '../store/users-repo';

/** How soon the schedule retries a server whose last sync failed. */
export const RETRY_AFTER_FAILURE_MS = 15 * 60_000;

/** What decides a server's next scheduled sync. */
export interface ScheduleFacts {
  /** The schedule's period in ms (null: never). */
  everyMs: number | null;
  offline: boolean;
  /** It manages an organization or creates users. */
  managesUsers: boolean;
  held: boolean;
  /** A sync of this server was applied before (the first one by hand: the schedule waits for it). */
  appliedBefore: boolean;
  lastAttempt: Pick<RunSummary, 'status' | 'startedAt'> | null;
}

/**
 * When the server's next scheduled sync is due (ISO time; `now` when it never ran), or null when
 * the schedule does not run it: schedule off, offline (only simulated over its snapshot), a held
 * plan waiting for the admin, or nothing to manage.
 */
export function nextRunAt(f: ScheduleFacts, now: Date): string | null {
  if (f.everyMs === null || scheduleNote(f, '') !== null) return null;
  if (!f.lastAttempt) return now.toISOString();
  // A failed attempt (directory down) is retried sooner: after the schedule, at most 15 minutes.
  const wait = f.lastAttempt.status === 'failed' ? Math.min(f.everyMs, RETRY_AFTER_FAILURE_MS) : f.everyMs;
  return new Date(Date.parse(f.lastAttempt.startedAt) + wait).toISOString();
}

/** Why the schedule does not run the server (null when it does), naming what to do; `name` is the server's. */
export function scheduleNote(f: Omit<ScheduleFacts, 'lastAttempt'>, name: string): string | null {
  if (f.offline) return 'Offline server: it is only simulated over its snapshot, never synchronized on a schedule.';
  if (!f.managesUsers) return 'It manages nobody: no organization signs in with it and it creates no users, so there is nothing to synchronize.';
  if (f.everyMs === null) return 'The schedule is off ("never" in the Sync settings).';
  if (f.held) return 'A held plan waits for review: apply or discard it, and the schedule resumes.';
  if (!f.appliedBefore) return `Waits for a first sync by hand: simulate, then Synchronize now (or ldap-sync sync ${JSON.stringify(name)}). The schedule starts after it.`;
  return null;
}

/** Every server's view for the Sync screen, with its next scheduled sync. */
export function serverStatuses(db: Database.Database, now: Date): ServerSyncStatus[] {
  const everyMs = everyToMs(readSyncSettings(db).every);
  const orgs = listOrganizations(db);
  return listServers(db).map((s): ServerSyncStatus => {
    const managedOrgs = orgs.filter((o) => o.authServerId === s.id).map((o) => o.name);
    const held = heldRun(db, s.id);
    const lastSync = lastAppliedRun(db, s.id);
    const facts = { everyMs, offline: s.offline, managesUsers: managedOrgs.length > 0 || s.createUsers, held: !!held, appliedBefore: lastSync !== null };
    return {
      serverId: s.id,
      serverName: s.name,
      managedOrgs,
      managedUsers: managedCounts(db, s.id).managed,
      createUsers: s.createUsers,
      offline: s.offline,
      lastRun: latestFinishedRun(db, s.id),
      lastSync,
      held,
      nextRunAt: nextRunAt({ ...facts, lastAttempt: lastSyncAttempt(db, s.id) }, now),
      scheduleNote: scheduleNote(facts, s.name),
    };
  });
}

/** The servers whose scheduled sync is due at `now`. */
export function dueServers(statuses: readonly ServerSyncStatus[], now: Date): { serverId: string; serverName: string }[] {
  return statuses.filter((s) => s.nextRunAt !== null && Date.parse(s.nextRunAt) <= now.getTime()).map((s) => ({ serverId: s.serverId, serverName: s.serverName }));
}
