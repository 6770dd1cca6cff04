/**
 * A sync applied while its plan is made (ApplyStream, sync/apply-in-worker.ts): the apply worker
 * writes each chunk as plan rows and applies it in one transaction, which commits with the run's
 * record or is rolled back. Real SQLite files, the real worker.
 */
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../src-shared/domain/sync';
import { getRun, startRun } from '../../src-main/store/runs-repo';
import { insertUser } from '../../src-main/store/users-repo';
import { concludeRun } from '../../src-main/sync/conclude-run';
import { Pacer, type ChangeData, type Plan } from '../../src-main/sync/planner';
import { countChanges, storedChanges, writeChanges, type StoredChange } from '../../src-main/store/plan-rows-repo';
import { startApply, type ApplyStream } from '../../src-main/sync/apply-in-worker';
import { applyStores, createChanges } from './apply-fixture';

const NOW = new Date('2026-01-01T10:00:00.000Z');
const now = () => NOW;
/** More than two of the stream's chunks (2000 changes each), and a part of one. */
const CREATES = 5500;

const newStore = applyStores('lss-apply-stream-');

function streamFor(db: Database.Database, runId: string): ApplyStream {
  startRun(db, { id: runId, serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'sync', trigger: 'manual' }, NOW);
  const stream = startApply(db).stream({ kind: 'sync', runId, serverId: 'srv-1', lastSyncAt: null, now: NOW.toISOString() });
  if (!stream) throw new Error('a store on disk streams');
  return stream;
}

const userCount = (db: Database.Database) => (db.prepare(`SELECT COUNT(*) AS n FROM users`).get() as { n: number }).n;
const rowCount = (db: Database.Database, runId: string) => (db.prepare(`SELECT COALESCE(SUM(n), 0) AS n FROM sync_change_chunks WHERE run_id = ?`).get(runId) as { n: number }).n;
const end = (n: number) => ({ entries: n, managedBefore: 0, managedAfter: n, activeAfter: n, counts: { ...emptyCounts(), created: n } });
/** Main can write (the worker let go of the store's write lock): a plan row of run `runId`, then dropped. */
function mainCanWrite(db: Database.Database, runId: string): void {
  // At once: a lock still held fails with SQLITE_BUSY instead of being waited for.
  db.pragma('busy_timeout = 0');
  writeChanges(db, runId, [{ seq: 1_000_000, username: 'x', dn: null, userId: null, action: 'error', reason: 'probe', data: null }]);
  db.prepare(`DELETE FROM sync_change_chunks WHERE run_id = ? AND first_seq = 1000000`).run(runId);
}

describe('a sync applied while its plan is made', () => {
  it('writes every change as a plan row and applies it, and commits both with the run record', async () => {
    const { db, orgId } = newStore('store');
    const changes = createChanges(CREATES, orgId);
    const stream = streamFor(db, 'run-1');
    // As the planner calls it: the changes so far (only full chunks go), then all of them.
    await stream.send(changes.slice(0, 4500), false);
    await stream.send(changes.slice(0, 5000), false);
    // Nothing shows before the commit.
    expect(userCount(db)).toBe(0);
    expect(rowCount(db, 'run-1')).toBe(0);
    await stream.send(changes, true);
    await stream.commit(end(CREATES), countChanges(changes), { seen: [], gone: [] }, async () => {}, now);
    expect(userCount(db)).toBe(CREATES);
    const rows = storedChanges(db, 'run-1');
    expect(rows.map((r) => [r.seq, r.username, r.action, r.dn])).toEqual(changes.map((c) => [c.seq, c.username, 'create', c.dn]));
    // As main writes them for an applied plan: no apply data, no planned id for a create.
    expect(rows.every((r) => r.data === null && r.userId === null)).toBe(true);
    expect(getRun(db, 'run-1')).toMatchObject({ status: 'applied', entries: CREATES, counts: { created: CREATES } });
    mainCanWrite(db, 'run-1');
  }, 60_000);

  it('rolls everything back when the plan is not applied after all (held), and main can write at once', async () => {
    const { db, orgId } = newStore('store');
    const changes = createChanges(CREATES, orgId);
    const stream = streamFor(db, 'run-2');
    await stream.send(changes, true);
    await stream.abandon();
    expect(userCount(db)).toBe(0);
    expect(rowCount(db, 'run-2')).toBe(0);
    expect(getRun(db, 'run-2').status).toBe('running');
    mainCanWrite(db, 'run-2');
  }, 60_000);

  it('stopped in the middle (a cancel), leaves nothing and frees the store', async () => {
    const { db, orgId } = newStore('store');
    const changes = createChanges(CREATES, orgId);
    const stream = streamFor(db, 'run-3');
    await stream.send(changes.slice(0, 4000), false);
    await stream.stop();
    expect(userCount(db)).toBe(0);
    expect(rowCount(db, 'run-3')).toBe(0);
    mainCanWrite(db, 'run-3');
    // A stopped stream sends and commits nothing more.
    await stream.send(changes, true);
    await stream.commit(end(CREATES), countChanges(changes), { seen: [], gone: [] }, async () => {}, now);
    expect(userCount(db)).toBe(0);
  }, 60_000);

  it('a change that cannot be written fails the commit with SQLite\'s error, having written nothing', async () => {
    const { db, orgId } = newStore('store');
    const changes = createChanges(CREATES, orgId);
    // A user of an organization the store does not hold, in the second chunk.
    (changes[3000].data as Extract<ChangeData, { kind: 'create' }>).orgId = 'no-such-org';
    const stream = streamFor(db, 'run-4');
    await stream.send(changes, true);
    await expect(stream.commit(end(CREATES), countChanges(changes), { seen: [], gone: [] }, async () => {}, now)).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    expect(userCount(db)).toBe(0);
    expect(rowCount(db, 'run-4')).toBe(0);
    expect(getRun(db, 'run-4').status).toBe('running');
    mainCanWrite(db, 'run-4');
  }, 60_000);
});

/**
 * A plan of every kind of row a fresh store can take: creates (some with a reason), errors, and
 * deactivations of `managed` users of the store (ids user-m0...).
 */
function mixedPlan(orgId: string, managed: number): Plan {
  const changes: StoredChange[] = createChanges(CREATES, orgId);
  for (let i = 0; i < changes.length; i += 7) changes[i].reason = 'Created with the roles Desktop User';
  for (let i = 0; i < 300; i++) changes.push({ seq: changes.length, username: `bad${i}`, dn: `uid=bad${i},dc=example,dc=com`, userId: null, action: 'error', reason: 'The username is returned by 2 entries', data: null });
  for (let i = 0; i < managed; i++) changes.push({ seq: changes.length, username: `m${i}`, dn: null, userId: `user-m${i}`, action: 'deactivate', reason: 'Not returned by the search', data: { kind: 'deactivate', reason: 'Not returned by the search' } });
  const counts = { ...emptyCounts(), created: CREATES, errors: 300, deactivated: managed };
  return { changes, counts, seen: [], gone: [], entries: CREATES + 300, managedBefore: managed, activeBefore: managed, managedAfter: managed + CREATES, activeAfter: CREATES };
}

/** Everything a run leaves in a store, without what differs by run id. */
function outcome(db: Database.Database, runId: string) {
  const run = getRun(db, runId);
  return {
    run: { status: run.status, entries: run.entries, counts: run.counts, managedBefore: run.managedBefore, managedAfter: run.managedAfter, activeAfter: run.activeAfter, heldReason: run.heldReason },
    rows: storedChanges(db, runId),
    counts: db.prepare(`SELECT action, n FROM sync_change_counts WHERE run_id = ? ORDER BY action`).all(runId),
    users: db.prepare(`SELECT id, username, username_key, email, first_name, last_name, org_id, active, deactivated_reason, deactivated_by, source_server_id, source_dn, directory_id, missing FROM users ORDER BY id`).all(),
  };
}

/** Concludes `plan` as sync `runId`, streamed (as the planner sends it) or written by main and then applied. */
async function conclude(db: Database.Database, runId: string, plan: Plan, streamed: boolean) {
  startRun(db, { id: runId, serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'sync', trigger: 'manual' }, NOW);
  const stream = streamed ? startApply(db).stream({ kind: 'sync', runId, serverId: 'srv-1', lastSyncAt: null, now: NOW.toISOString() }) : null;
  if (stream) {
    await stream.send(plan.changes.slice(0, 2500), false);
    await stream.send(plan.changes, true);
  }
  return concludeRun(db, { runId, kind: 'sync', serverId: 'srv-1', plan, previous: null, lastSync: null, now, pacer: new Pacer(0), stream });
}

describe('streamed or not, a sync ends the same', () => {
  it('the same plan rows, counts, run record and users', async () => {
    const a = newStore('main');
    const b = newStore('streamed');
    // The organization ids differ between the stores: compared through each store's own.
    expect(await conclude(a.db, 'run', mixedPlan(a.orgId, 0), false)).toBe('applied');
    expect(await conclude(b.db, 'run', mixedPlan(b.orgId, 0), true)).toBe('applied');
    const [x, y] = [outcome(a.db, 'run'), outcome(b.db, 'run')];
    const sameOrg = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll(b.orgId, a.orgId));
    expect(y.rows.length).toBe(CREATES + 300);
    expect(sameOrg(y)).toEqual(x);
    expect(x.users.length).toBe(CREATES);
  }, 60_000);

  it('a sync held by the deactivation limit: rolled back, then the same held plan (with apply data) as without the stream', async () => {
    const managed = 50;
    const stores = [newStore('main'), newStore('streamed')];
    for (const { db, orgId } of stores) {
      for (let i = 0; i < managed; i++) {
        insertUser(db, { id: `user-m${i}`, username: `m${i}`, orgId, sourceServerId: 'srv-1' }, NOW);
      }
    }
    const [a, b] = stores;
    expect(await conclude(a.db, 'run', mixedPlan(a.orgId, managed), false)).toBe('held');
    expect(await conclude(b.db, 'run', mixedPlan(b.orgId, managed), true)).toBe('held');
    const [x, y] = [outcome(a.db, 'run'), outcome(b.db, 'run')];
    expect(x.run.heldReason).toBeTruthy();
    expect(JSON.parse(JSON.stringify(y).replaceAll(b.orgId, a.orgId))).toEqual(x);
    // Nothing applied: the managed users are all still active, no user created.
    expect(y.users.length).toBe(managed);
    expect((y.users as { active: number }[]).every((u) => u.active === 1)).toBe(true);
  }, 60_000);
});
