import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyCounts, type SyncAction } from '../../src-shared/domain/sync';
import { openStore, type Store } from '../../src-main/store/db';
import { loadMigrations } from '../../src-main/store/migration-files';
import { insertOrganization } from '../../src-main/store/organizations-repo';
import { planPage, writeChanges, type StoredChange } from '../../src-main/store/plan-rows-repo';
import { getRun, startRun } from '../../src-main/store/runs-repo';
import { insertServer } from '../../src-main/store/servers-repo';
import { insertUser } from '../../src-main/store/users-repo';
import { approveHeldPlan } from '../../src-main/sync/approval';
import { concludeRun } from '../../src-main/sync/conclude-run';
import type { Plan } from '../../src-main/sync/planner';
import { writeOldPlanRows } from './old-plan-rows';
import { serverRow } from './server-row';

const NOW = new Date('2026-01-01T10:00:00.000Z');
const now = () => NOW;

let dir: string;
let store: Store | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lss-plan-counts-'));
});

afterEach(() => {
  store?.close();
  store = null;
  rmSync(dir, { recursive: true, force: true });
});

function open(migrations = loadMigrations()): Database.Database {
  store?.close();
  store = openStore(join(dir, 'store.sqlite'), { migrations });
  return store.db;
}

/** Plan rows cycling through `actions`, for users `ids`. */
function rows(ids: string[], actions: SyncAction[]): StoredChange[] {
  return ids.map((id, seq) => ({ seq, username: `ann${seq}`, dn: `uid=ann${seq},dc=example`, userId: id, action: actions[seq % actions.length], reason: 'test', data: null }));
}

function plan(changes: StoredChange[], managed: number): Plan {
  return { changes, counts: emptyCounts(), seen: [], gone: [], entries: managed, managedBefore: managed, activeBefore: managed, managedAfter: managed, activeAfter: managed };
}

function setUp(db: Database.Database, users: number): string[] {
  insertServer(db, serverRow());
  const org = insertOrganization(db, { name: 'Dept A', authServerId: 'srv-1' });
  return Array.from({ length: users }, (_, i) => insertUser(db, { username: `ann${i}`, orgId: org.id, sourceServerId: 'srv-1' }));
}

const counted = (db: Database.Database, runId: string) =>
  Object.fromEntries((db.prepare(`SELECT action, n FROM sync_change_counts WHERE run_id = ? ORDER BY action`).all(runId) as { action: string; n: number }[]).map((r) => [r.action, r.n]));

describe('the counts of a plan', () => {
  it('a simulation records its rows counted by action with its end, and its pages take totals and counts from them', async () => {
    const db = open();
    const ids = setUp(db, 30);
    startRun(db, { id: 'sim', serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'simulate', trigger: 'manual' }, NOW);
    const changes = rows(ids, ['move', 'roles', 'update']);
    expect(await concludeRun(db, { runId: 'sim', kind: 'simulate', serverId: 'srv-1', plan: plan(changes, 30), previous: null, lastSync: null, now })).toBe('simulated');
    expect(counted(db, 'sim')).toEqual({ move: 10, roles: 10, update: 10 });

    const all = planPage(db, { runId: 'sim', filter: 'all', search: null, offset: 0, limit: 5 });
    expect(all.total).toBe(30);
    expect(all.byAction).toMatchObject({ move: 10, roles: 10, update: 10, create: 0, deactivate: 0 });
    expect(all.rows.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
    const moves = planPage(db, { runId: 'sim', filter: 'move', search: null, offset: 2, limit: 3 });
    expect(moves).toMatchObject({ total: 10, offset: 2 });
    expect(moves.rows.map((r) => r.seq)).toEqual([6, 9, 12]);
    expect(planPage(db, { runId: 'sim', filter: 'create', search: '  ', offset: 0, limit: 5 })).toMatchObject({ total: 0, rows: [] });
    // A search counts the rows it matches.
    const found = planPage(db, { runId: 'sim', filter: 'all', search: 'ANN1', offset: 0, limit: 50 });
    expect(found.total).toBe(11);
    expect(found.byAction.move).toBe(10);
    expect(planPage(db, { runId: 'sim', filter: 'roles', search: 'ann1', offset: 0, limit: 50 }).total).toBe(5);
  });

  it('a sync records them with the apply, in its transaction', async () => {
    const db = open();
    const ids = setUp(db, 4);
    startRun(db, { id: 'sync', serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'sync', trigger: 'manual' }, NOW);
    expect(await concludeRun(db, { runId: 'sync', kind: 'sync', serverId: 'srv-1', plan: plan(rows(ids, ['update', 'error']), 4), previous: null, lastSync: null, now })).toBe('applied');
    expect(counted(db, 'sync')).toEqual({ error: 2, update: 2 });
    expect(planPage(db, { runId: 'sync', filter: 'all', search: null, offset: 0, limit: 50 }).total).toBe(4);
  });

  it('a held plan records them, and its approval records the same for the run that applies it', async () => {
    const db = open();
    const ids = setUp(db, 20);
    startRun(db, { id: 'held', serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'sync', trigger: 'manual' }, NOW);
    const changes: StoredChange[] = ids.slice(0, 5).map((id, seq) => ({ seq, username: `ann${seq}`, dn: null, userId: id, action: 'deactivate', reason: 'gone', data: { kind: 'deactivate', reason: 'gone' } }));
    const held = { ...plan(changes, 20), counts: { ...emptyCounts(), deactivated: 5 }, entries: 15, activeAfter: 15 };
    expect(await concludeRun(db, { runId: 'held', kind: 'sync', serverId: 'srv-1', plan: held, previous: null, lastSync: null, now })).toBe('held');
    expect(counted(db, 'held')).toEqual({ deactivate: 5 });
    const approved = await approveHeldPlan(db, 'held', { trigger: 'manual', runId: 'approved', now });
    expect(approved.status).toBe('applied');
    expect(counted(db, 'approved')).toEqual({ deactivate: 5 });
    expect(planPage(db, { runId: 'approved', filter: 'deactivate', search: null, offset: 0, limit: 2 }).total).toBe(5);
  });

  it('a running run has none: its pages count its rows', () => {
    const db = open();
    const ids = setUp(db, 5);
    startRun(db, { id: 'run', serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'sync', trigger: 'manual' }, NOW);
    writeChanges(db, 'run', rows(ids, ['move']));
    expect(counted(db, 'run')).toEqual({});
    expect(planPage(db, { runId: 'run', filter: 'all', search: null, offset: 0, limit: 2 })).toMatchObject({ total: 5, byAction: { move: 5 } });
    expect(getRun(db, 'run').status).toBe('running');
  });

  it('a store made before counts gets them for its ended runs when upgraded, none for a running one', () => {
    let db = open(loadMigrations().filter((m) => m.version < 9));
    const ids = setUp(db, 6);
    startRun(db, { id: 'old', serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'simulate', trigger: 'manual' }, NOW);
    writeOldPlanRows(db, 'old', rows(ids, ['create', 'create', 'dn']));
    db.prepare(`UPDATE sync_runs SET status = 'simulated' WHERE id = 'old'`).run();
    db.prepare(`DELETE FROM sync_lock`).run();
    startRun(db, { id: 'live', serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'simulate', trigger: 'manual' }, NOW);
    writeOldPlanRows(db, 'live', rows(ids, ['move']));

    db = open();
    expect(counted(db, 'old')).toEqual({ create: 4, dn: 2 });
    expect(counted(db, 'live')).toEqual({});
    expect(planPage(db, { runId: 'old', filter: 'create', search: null, offset: 0, limit: 10 }).total).toBe(4);
  });
});
