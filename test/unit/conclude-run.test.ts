import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../src-shared/domain/sync';
import { insertOrganization } from '../../src-main/store/organizations-repo';
import { getRun, lockHolder, startRun } from '../../src-main/store/runs-repo';
import { CHANGE_CHUNK, storedChanges, type StoredChange } from '../../src-main/store/plan-rows-repo';
import { insertServer } from '../../src-main/store/servers-repo';
import { insertUser } from '../../src-main/store/users-repo';
import { concludeRun } from '../../src-main/sync/conclude-run';
import { AppError } from '../../src-shared/errors';
import { Pacer, type Plan } from '../../src-main/sync/planner';
import { serverRow } from './server-row';
import { openStore, type Store } from '../../src-main/store/db';

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

/** Runs `fn` on a new store in a temp folder, removed once `fn` has settled. */
async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lss-conclude-'));
  const store = openStore(join(dir, 'store.sqlite'));
  try {
    await fn(store);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const active = (db: Database.Database) => (db.prepare(`SELECT COUNT(*) AS n FROM users WHERE active = 1`).get() as { n: number }).n;

describe('concluding a run', () => {
  it('records a simulation\'s plan and changes no user', () =>
    withStore(async ({ db }) => {
      const ids = setUp(db, 20);
      const runId = begin(db, 'sim', 'simulate');
      expect(await concludeRun(db, { runId, kind: 'simulate', serverId: 'srv-1', plan: deactivating(ids.slice(0, 1), 20, 19), previous: null, lastSync: null, now })).toBe('simulated');
      expect(getRun(db, runId)).toMatchObject({ status: 'simulated', entries: 19, counts: { deactivated: 1 } });
      expect(active(db)).toBe(20);
      expect(lockHolder(db)).toBeUndefined();
    }));

  it('applies a sync under the limits with its record, in one go', () =>
    withStore(async ({ db }) => {
      const ids = setUp(db, 20);
      const runId = begin(db, 'sync', 'sync');
      let applying = 0;
      expect(await concludeRun(db, { runId, kind: 'sync', serverId: 'srv-1', plan: deactivating(ids.slice(0, 1), 20, 19), previous: null, lastSync: null, now, onApplying: () => applying++ })).toBe('applied');
      expect(applying).toBe(1);
      expect(getRun(db, runId).status).toBe('applied');
      expect(active(db)).toBe(19);
    }));

  it('holds a sync over the limits with what applying needs, replacing an older held plan, and changes no user', () =>
    withStore(async ({ db }) => {
      const ids = setUp(db, 20);
      const first = begin(db, 'held-1', 'sync');
      expect(await concludeRun(db, { runId: first, kind: 'sync', serverId: 'srv-1', plan: deactivating(ids.slice(0, 5), 20, 15), previous: null, lastSync: null, now })).toBe('held');
      const second = begin(db, 'held-2', 'sync');
      expect(await concludeRun(db, { runId: second, kind: 'sync', serverId: 'srv-1', plan: deactivating(ids.slice(0, 6), 20, 14), previous: null, lastSync: null, now })).toBe('held');
      expect(getRun(db, second)).toMatchObject({ status: 'held', heldReason: expect.stringContaining('30% of the 20 managed users') });
      expect(getRun(db, first)).toMatchObject({ status: 'discarded', relatedRunId: second });
      expect(storedChanges(db, second)[0].data).toEqual({ kind: 'deactivate', reason: 'Not returned by the search' });
      expect(active(db)).toBe(20);
    }));

  it('fails an empty result where the last run found entries (an outage is not absence)', () =>
    withStore(async ({ db }) => {
      setUp(db, 0);
      const before = begin(db, 'before', 'simulate');
      await concludeRun(db, { runId: before, kind: 'simulate', serverId: 'srv-1', plan: deactivating([], 0, 7), previous: null, lastSync: null, now });
      const runId = begin(db, 'empty', 'sync');
      expect(await concludeRun(db, { runId, kind: 'sync', serverId: 'srv-1', plan: deactivating([], 0, 0), previous: getRun(db, before), lastSync: null, now })).toBe('failed');
      expect(getRun(db, runId)).toMatchObject({ status: 'failed', entries: 0, error: { code: 'EMPTY_RESULT', message: expect.stringContaining('although it returned 7 entries') } });
    }));

  it('writes a large plan in chunks with the event loop\'s turns between them, the run still running, and finishes the run last', () =>
    withStore(async ({ db }) => {
      setUp(db, 0);
      const runId = begin(db, 'sim', 'simulate');
      const ids = Array.from({ length: 2 * CHANGE_CHUNK + 1 }, (_, i) => `gone-${i}`);
      const seen: [string, number][] = [];
      const pacer = new Pacer(0, async () => {
        seen.push([getRun(db, runId).status, storedChanges(db, runId).length]);
      });
      expect(await concludeRun(db, { runId, kind: 'simulate', serverId: 'srv-1', plan: deactivating(ids, 0, 1), previous: null, lastSync: null, now, pacer })).toBe('simulated');
      expect(seen).toEqual([
        ['running', CHANGE_CHUNK],
        ['running', 2 * CHANGE_CHUNK],
        ['running', 2 * CHANGE_CHUNK + 1],
      ]);
      expect(getRun(db, runId).status).toBe('simulated');
      expect(storedChanges(db, runId).map((c) => c.userId)).toEqual(ids);
    }));

  it('drops the plan rows written so far when the run is cancelled between chunks, and changes no user', () =>
    withStore(async ({ db }) => {
      const users = setUp(db, 3);
      const runId = begin(db, 'sync', 'sync');
      const controller = new AbortController();
      const pacer = new Pacer(0, async () => controller.abort());
      const plan = deactivating([...users, ...Array.from({ length: CHANGE_CHUNK }, (_, i) => `x-${i}`)], 3, 3);
      const err = await concludeRun(db, { runId, kind: 'sync', serverId: 'srv-1', plan, previous: null, lastSync: null, now, pacer, signal: controller.signal }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ code: 'CANCELLED' });
      expect(storedChanges(db, runId)).toEqual([]);
      expect(active(db)).toBe(3);
    }));

  it('drops the plan rows of a sync whose apply fails, the users as they were (the apply is one transaction)', () =>
    withStore(async ({ db }) => {
      const users = setUp(db, 20);
      const runId = begin(db, 'sync', 'sync');
      const plan = deactivating(users.slice(0, 1), 20, 20);
      const bad = { kind: 'create', id: 'new-1', username: 'zed', email: null, firstName: null, lastName: null, orgId: 'no-such-org', roleIds: [], dn: 'uid=zed', directoryId: null };
      plan.changes.push({ seq: 1, username: 'zed', dn: 'uid=zed', userId: 'new-1', action: 'create', to: 'Nowhere', data: bad });
      await expect(concludeRun(db, { runId, kind: 'sync', serverId: 'srv-1', plan, previous: null, lastSync: null, now })).rejects.toThrow(/FOREIGN KEY/);
      expect(storedChanges(db, runId)).toEqual([]);
      expect(active(db)).toBe(20);
      expect(getRun(db, runId).status).toBe('running');
    }));
});
