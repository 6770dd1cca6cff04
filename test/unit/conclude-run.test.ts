import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../src-shared/domain/sync';
import { insertOrganization } from '../../src-main/store/organizations-repo';
import { getRun, lockHolder, startRun, storedChanges, type StoredChange } from '../../src-main/store/runs-repo';
import { insertServer } from '../../src-main/store/servers-repo';
import { insertUser } from '../../src-main/store/users-repo';
import { concludeRun } from '../../src-main/sync/conclude-run';
import type { Plan } from '../../src-main/sync/planner';
import { serverRow } from './server-row';
import { withStore } from './store-fixture';

const NOW = new Date('2026-01-01T10:00:00.000Z');
const now = () => NOW;

/** A server whose organization holds `users` active users (ann0, ann1, ...). */
function setUp(db: Database.Database, users: number): string[] {
  insertServer(db, serverRow());
  const org = insertOrganization(db, { name: 'Dept A', authServerId: 'srv-1' });
  return Array.from({ length: users }, (_, i) => insertUser(db, { username: `ann${i}`, orgId: org.id, sourceServerId: 'srv-1' }));
}

/** A plan that deactivates `ids` (of `managed` managed users) after reading `entries` entries. */
function deactivating(ids: string[], managed: number, entries: number): Plan {
  const changes: StoredChange[] = ids.map((id, seq) => ({ seq, username: `u${seq}`, dn: null, userId: id, action: 'deactivate', reason: 'Not returned by the search', data: { kind: 'deactivate', reason: 'Not returned by the search' } }));
  return { changes, counts: { ...emptyCounts(), deactivated: ids.length }, seen: [], gone: [], entries, managedBefore: managed, activeBefore: managed, managedAfter: managed, activeAfter: managed - ids.length };
}

function begin(db: Database.Database, id: string, kind: 'sync' | 'simulate'): string {
  startRun(db, { id, serverId: 'srv-1', serverName: 'Corporate LDAP', kind, trigger: 'manual' }, NOW);
  return id;
}

const active = (db: Database.Database) => (db.prepare(`SELECT COUNT(*) AS n FROM users WHERE active = 1`).get() as { n: number }).n;

describe('concluding a run', () => {
  it('records a simulation\'s plan and changes no user', () =>
    withStore(({ db }) => {
      const ids = setUp(db, 20);
      const runId = begin(db, 'sim', 'simulate');
      expect(concludeRun(db, { runId, kind: 'simulate', serverId: 'srv-1', plan: deactivating(ids.slice(0, 1), 20, 19), previous: null, lastSync: null, now })).toBe('simulated');
      expect(getRun(db, runId)).toMatchObject({ status: 'simulated', entries: 19, counts: { deactivated: 1 } });
      expect(active(db)).toBe(20);
      expect(lockHolder(db)).toBeUndefined();
    }));

  it('applies a sync under the limits with its record, in one go', () =>
    withStore(({ db }) => {
      const ids = setUp(db, 20);
      const runId = begin(db, 'sync', 'sync');
      let applying = 0;
      expect(concludeRun(db, { runId, kind: 'sync', serverId: 'srv-1', plan: deactivating(ids.slice(0, 1), 20, 19), previous: null, lastSync: null, now, onApplying: () => applying++ })).toBe('applied');
      expect(applying).toBe(1);
      expect(getRun(db, runId).status).toBe('applied');
      expect(active(db)).toBe(19);
    }));

  it('holds a sync over the limits with what applying needs, replacing an older held plan, and changes no user', () =>
    withStore(({ db }) => {
      const ids = setUp(db, 20);
      const first = begin(db, 'held-1', 'sync');
      expect(concludeRun(db, { runId: first, kind: 'sync', serverId: 'srv-1', plan: deactivating(ids.slice(0, 5), 20, 15), previous: null, lastSync: null, now })).toBe('held');
      const second = begin(db, 'held-2', 'sync');
      expect(concludeRun(db, { runId: second, kind: 'sync', serverId: 'srv-1', plan: deactivating(ids.slice(0, 6), 20, 14), previous: null, lastSync: null, now })).toBe('held');
      expect(getRun(db, second)).toMatchObject({ status: 'held', heldReason: expect.stringContaining('30% of the 20 managed users') });
      expect(getRun(db, first)).toMatchObject({ status: 'discarded', relatedRunId: second });
      expect(storedChanges(db, second)[0].data).toEqual({ kind: 'deactivate', reason: 'Not returned by the search' });
      expect(active(db)).toBe(20);
    }));

  it('fails an empty result where the last run found entries (an outage is not absence)', () =>
    withStore(({ db }) => {
      setUp(db, 0);
      const before = begin(db, 'before', 'simulate');
      concludeRun(db, { runId: before, kind: 'simulate', serverId: 'srv-1', plan: deactivating([], 0, 7), previous: null, lastSync: null, now });
      const runId = begin(db, 'empty', 'sync');
      expect(concludeRun(db, { runId, kind: 'sync', serverId: 'srv-1', plan: deactivating([], 0, 0), previous: getRun(db, before), lastSync: null, now })).toBe('failed');
      expect(getRun(db, runId)).toMatchObject({ status: 'failed', entries: 0, error: { code: 'EMPTY_RESULT', message: expect.stringContaining('although it returned 7 entries') } });
    }));
});
