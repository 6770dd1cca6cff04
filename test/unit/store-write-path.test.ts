import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { checkpointAfterTransaction, openStore, type Store } from '../../src-main/store/db';
import { loadMigrations } from '../../src-main/store/migration-files';
import { finishRun, startRun } from '../../src-main/store/runs-repo';
import { planPage, runChanges, storedChanges, type StoredChange } from '../../src-main/store/plan-rows-repo';
import { emptyCounts } from '../../src-shared/domain/sync';
import { writeOldPlanRows } from './old-plan-rows';

let dir: string;
let file: string;
const open: Store[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-write-path-'));
  file = join(dir, 'store.sqlite');
});

afterEach(() => {
  for (const store of open.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

const at = '2025-01-01T10:00:00.000Z';
const changes: StoredChange[] = [
  { seq: 0, userId: 'u-1', username: 'anna', dn: 'uid=anna,dc=example,dc=com', action: 'create', to: 'Sales', reason: 'roles: Desktop User', data: { kind: 'create', id: 'u-1' } },
  { seq: 1, userId: 'u-2', username: 'ben', dn: 'uid=ben,dc=example,dc=com', action: 'move', from: 'Sales', to: 'Support', data: { kind: 'move', orgId: 'o-2' } },
  { seq: 2, userId: null, username: null, dn: 'cn=x,dc=example,dc=com', action: 'error', reason: 'No username', data: null },
];

it('0005 keeps every plan row, still refuses an unknown action and drops the directory-ID index', () => {
  // A store at schema version 4 with a held plan (rows with their apply data).
  const before = openStore(file, { migrations: loadMigrations().filter((m) => m.version < 5) });
  const runId = randomUUID();
  startRun(before.db, { id: runId, serverId: null, serverName: 'Corp', kind: 'sync', trigger: 'cli' }, new Date(at));
  before.db.transaction(() => {
    writeOldPlanRows(before.db, runId, changes, true);
    finishRun(before.db, runId, { status: 'held', counts: emptyCounts(), heldReason: 'test' }, new Date(at));
  })();
  const rows = before.db.prepare(`SELECT * FROM sync_changes ORDER BY run_id, seq`).all();
  expect(rows).toHaveLength(3);
  before.close();

  // Up to 0009 (0010 moves the rows into chunks: see the next test).
  const store = openStore(file, { migrations: loadMigrations().filter((m) => m.version < 10) });
  open.push(store);
  const db = store.db;
  expect(db.prepare(`SELECT * FROM sync_changes ORDER BY run_id, seq`).all()).toEqual(rows);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(db.pragma('foreign_key_check')).toEqual([]);

  // The check accepts exactly the same actions.
  const insert = db.prepare(`INSERT INTO sync_changes (run_id, seq, action) VALUES (?, ?, ?)`);
  expect(() => insert.run(runId, 10, 'bogus')).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_CHECK' }));
  expect(() => insert.run(runId, 11, 'Create')).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_CHECK' }));
  ['deactivate', 'reactivate', 'create', 'move', 'roles', 'update', 'error'].forEach((action, i) => insert.run(runId, 20 + i, action));
  // Still a child of its run: deleting the run deletes its plan.
  expect(() => insert.run('no-such-run', 0, 'create')).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }));
  db.prepare(`DELETE FROM sync_runs WHERE id = ?`).run(runId);
  expect(db.prepare(`SELECT COUNT(*) AS n FROM sync_changes`).get()).toEqual({ n: 0 });

  expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'users_directory_id'`).get()).toBeUndefined();
});

it('0010 moves every plan row into chunks of 1,000: the plan, its apply data and its users read back as before', () => {
  // A store at schema version 9: a held plan (apply data kept) and an applied one of 2,345 changes
  // of every action, with text JSON must escape.
  const before = openStore(file, { migrations: loadMigrations().filter((m) => m.version < 10) });
  const held = randomUUID();
  const applied = randomUUID();
  const actions = ['create', 'deactivate', 'reactivate', 'move', 'roles', 'update', 'dn', 'reused', 'error'] as const;
  const many: StoredChange[] = Array.from({ length: 2345 }, (_, i) => {
    const action = actions[i % actions.length];
    return {
      seq: i,
      userId: action === 'error' ? null : `u-${i}`,
      username: i % 50 === 7 ? null : `user${i}`,
      dn: i % 100 === 3 ? null : `uid=user${i},ou=Péople "q" \\ x,dc=example`,
      action,
      ...(i % 3 === 0 && { from: `from\n${i}` }),
      ...(i % 2 === 0 && { to: `Dept ${i % 10}\t☃` }),
      ...(i % 5 === 0 && { reason: `why ${i} \u0001` }),
      data: action === 'create' ? { kind: 'create', id: `u-${i}` } : null,
    };
  });
  startRun(before.db, { id: held, serverId: null, serverName: 'Corp', kind: 'sync', trigger: 'cli' }, new Date(at));
  writeOldPlanRows(before.db, held, changes, true);
  finishRun(before.db, held, { status: 'held', counts: emptyCounts(), heldReason: 'test' }, new Date(at));
  startRun(before.db, { id: applied, serverId: null, serverName: 'Corp', kind: 'sync', trigger: 'cli' }, new Date(at));
  writeOldPlanRows(before.db, applied, many, false);
  finishRun(before.db, applied, { status: 'applied', counts: emptyCounts() }, new Date(at));
  const heldBefore = storedChangesOld(before.db, held);
  before.close();

  const store = openStore(file);
  open.push(store);
  const db = store.db;
  expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'sync_changes'`).get()).toBeUndefined();
  expect(db.prepare(`SELECT n FROM sync_change_chunks WHERE run_id = ? ORDER BY first_seq`).all(applied)).toEqual([{ n: 1000 }, { n: 1000 }, { n: 345 }]);
  // The held plan: every change with its user (a create's from its apply data) and apply data.
  expect(storedChanges(db, held)).toEqual(heldBefore);
  expect(storedChanges(db, held).map((c) => c.userId)).toEqual(changes.map((c) => c.userId));
  // The applied plan: as the plan view and exports show it, and without a create's user id.
  const expected = many.map(({ userId, data: _data, ...c }) => (c.action === 'reused' ? { ...c, userId } : c));
  expect([...runChanges(db, applied)]).toEqual(expected);
  expect(storedChanges(db, applied).filter((c) => c.action === 'create').every((c) => c.userId === null && c.data === null)).toBe(true);
  expect(planPage(db, { runId: applied, filter: 'move', search: null, offset: 200, limit: 3 }).rows).toEqual(expected.filter((c) => c.action === 'move').slice(200, 203));
  expect(planPage(db, { runId: applied, filter: 'all', search: 'USER1234', offset: 0, limit: 5 }).rows).toEqual(expected.filter((c) => c.username === 'user1234'));
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(db.pragma('foreign_key_check')).toEqual([]);
  // Still children of their run.
  db.prepare(`DELETE FROM sync_runs WHERE id = ?`).run(applied);
  expect(db.prepare(`SELECT COUNT(*) AS n FROM sync_change_chunks WHERE run_id = ?`).get(applied)).toEqual({ n: 0 });
});

/** storedChanges as the app before 0010 read them (the reference the migrated store is checked against). */
function storedChangesOld(db: Database.Database, runId: string): StoredChange[] {
  type Raw = { seq: number; userId: string | null; username: string | null; dn: string | null; action: StoredChange['action']; from: string | null; to: string | null; reason: string | null; data: string | null };
  const rows = db.prepare(`SELECT seq, user_id AS userId, username, dn, action, from_text AS "from", to_text AS "to", reason, data_json AS data FROM sync_changes WHERE run_id = ? ORDER BY seq`).all(runId) as Raw[];
  return rows.map((r) => {
    const c: StoredChange = { seq: r.seq, username: r.username, dn: r.dn, action: r.action, userId: r.userId, data: r.data === null ? null : JSON.parse(r.data) };
    if (r.from !== null) c.from = r.from;
    if (r.to !== null) c.to = r.to;
    if (r.reason !== null) c.reason = r.reason;
    return c;
  });
}

it('a new store gets 16 KiB pages; an existing one keeps its page size', () => {
  const fresh = openStore(file);
  open.push(fresh);
  expect(fresh.db.pragma('page_size', { simple: true })).toBe(16384);
  // A store created before (4 KiB pages, SQLite's default) is upgraded in place and keeps them.
  const older = join(dir, 'older.sqlite');
  const raw = new Database(older);
  raw.pragma('journal_mode = WAL');
  raw.close();
  const upgraded = openStore(older);
  open.push(upgraded);
  expect(upgraded.db.pragma('page_size', { simple: true })).toBe(4096);
  expect(upgraded.db.pragma('integrity_check', { simple: true })).toBe('ok');
});

it('checkpointAfterTransaction: the commit leaves the pages in the WAL, the next turn copies them; other connections read the commit at once', async () => {
  const store = openStore(file);
  open.push(store);
  const reader = openStore(file);
  open.push(reader);
  const db = store.db;
  const sizeBefore = statSync(file).size;
  const insert = db.prepare(`INSERT INTO settings (key, value_json) VALUES (?, ?)`);
  db.transaction(() => {
    checkpointAfterTransaction(db);
    checkpointAfterTransaction(db); // once per transaction however often it is asked
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    for (let i = 0; i < 2000; i++) insert.run(`k${i}`, JSON.stringify('x'.repeat(1000)));
  })();
  // Committed: visible to another connection, still only in the WAL.
  expect(reader.db.prepare(`SELECT COUNT(*) AS n FROM settings WHERE key LIKE 'k%'`).get()).toEqual({ n: 2000 });
  expect(statSync(file).size).toBe(sizeBefore);
  await new Promise((resolve) => setImmediate(resolve));
  expect(statSync(file).size).toBeGreaterThan(sizeBefore + 2000 * 1000);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
});
