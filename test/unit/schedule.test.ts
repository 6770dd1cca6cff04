import { describe, expect, it } from 'vitest';
import { finishRun, startRun } from '../../src-main/store/runs-repo';
import { insertOrganization } from '../../src-main/store/organizations-repo';
import { insertServer } from '../../src-main/store/servers-repo';
import { writeSyncSettings } from '../../src-main/store/settings-repo';
import { DEFAULT_SYNC_SETTINGS } from '../../src-shared/domain/sync';
import { dueServers, nextRunAt, RETRY_AFTER_FAILURE_MS, scheduleNote, serverStatuses, type ScheduleFacts } from '../../src-main/sync/schedule';
import { serverRow } from './server-row';
import { withStore } from './store-fixture';

const HOUR = 3_600_000;
const NOW = new Date('2026-01-01T12:00:00.000Z');
const facts = (over: Partial<ScheduleFacts> = {}): ScheduleFacts => ({ everyMs: 12 * HOUR, offline: false, managesUsers: true, held: false, appliedBefore: true, lastAttempt: null, ...over });

describe('schedule arithmetic', () => {
  it('runs a server with no attempt on record now', () => {
    expect(nextRunAt(facts(), NOW)).toBe(NOW.toISOString());
  });

  it('never makes the first real sync of a server: it waits for one by hand, and says so', () => {
    expect(nextRunAt(facts({ appliedBefore: false }), NOW)).toBeNull();
    expect(scheduleNote(facts({ appliedBefore: false }), 'Corp')).toBe('Waits for a first sync by hand: simulate, then Synchronize now (or ldap-sync sync "Corp"). The schedule starts after it.');
    expect(scheduleNote(facts(), 'Corp')).toBeNull();
  });

  it('runs the next sync one period after the last attempt', () => {
    expect(nextRunAt(facts({ lastAttempt: { status: 'applied', startedAt: '2026-01-01T08:00:00.000Z' } }), NOW)).toBe('2026-01-01T20:00:00.000Z');
  });

  it('retries a failed attempt after 15 minutes, or after the period when that is shorter', () => {
    const failed = { status: 'failed' as const, startedAt: '2026-01-01T08:00:00.000Z' };
    expect(nextRunAt(facts({ lastAttempt: failed }), NOW)).toBe(new Date(Date.parse(failed.startedAt) + RETRY_AFTER_FAILURE_MS).toISOString());
    expect(nextRunAt(facts({ lastAttempt: failed, everyMs: 5 * 60_000 }), NOW)).toBe('2026-01-01T08:05:00.000Z');
  });

  it('never schedules a server that is offline, holds a plan, manages nobody, or when the schedule is off', () => {
    expect([facts({ offline: true }), facts({ held: true }), facts({ managesUsers: false }), facts({ everyMs: null })].map((f) => nextRunAt(f, NOW))).toEqual([null, null, null, null]);
  });
});

describe('server statuses over a store', () => {
  it('schedules a server that manages an organization only after a first sync by hand, then one period after each', () =>
    withStore(({ db }) => {
      insertServer(db, serverRow());
      expect(dueServers(serverStatuses(db, NOW), NOW)).toEqual([]); // manages nothing yet
      expect(serverStatuses(db, NOW)[0]!.scheduleNote).toMatch(/^It manages nobody/);
      insertOrganization(db, { name: 'Dept A', authServerId: 'srv-1' });
      // Saved and managing: still not due, however late it gets, until the admin syncs by hand.
      expect(dueServers(serverStatuses(db, NOW), new Date(NOW.getTime() + 1000 * HOUR))).toEqual([]);
      expect(serverStatuses(db, NOW)[0]).toMatchObject({ nextRunAt: null, scheduleNote: expect.stringMatching(/^Waits for a first sync by hand/) });
      // A simulation is not a sync.
      startRun(db, { id: 'sim-1', serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'simulate', trigger: 'manual' }, NOW);
      finishRun(db, 'sim-1', { status: 'simulated', entries: 1 }, NOW);
      expect(serverStatuses(db, NOW)[0]!.nextRunAt).toBeNull();
      startRun(db, { id: 'run-1', serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'sync', trigger: 'manual' }, NOW);
      finishRun(db, 'run-1', { status: 'applied', entries: 1 }, NOW);
      const [status] = serverStatuses(db, NOW);
      expect(status).toMatchObject({ managedOrgs: ['Dept A'], lastRun: { id: 'run-1' }, lastSync: { id: 'run-1' }, held: null, nextRunAt: new Date(NOW.getTime() + 12 * HOUR).toISOString(), scheduleNote: null });
      expect(dueServers([status], new Date(NOW.getTime() + 12 * HOUR))).toHaveLength(1);
    }));

  it('follows the schedule setting ("never" stops it)', () =>
    withStore(({ db }) => {
      insertServer(db, serverRow({ createUsers: true }));
      writeSyncSettings(db, { ...DEFAULT_SYNC_SETTINGS, every: 'never' });
      expect(serverStatuses(db, NOW)[0].nextRunAt).toBeNull();
    }));
});
