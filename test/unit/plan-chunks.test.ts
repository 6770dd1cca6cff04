import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { PlanChange, PlanFilter } from '../../src-shared/domain/sync';
import { SYNC_ACTIONS } from '../../src-shared/domain/sync-actions';
import { openStore, type Store } from '../../src-main/store/db';
import { reusedUsersOfRun } from '../../src-main/store/identity-repo';
import { changeRangeWriter, planPage, runChanges, storedChanges, writeChanges, writeChangesInTurns, type StoredChange } from '../../src-main/store/plan-rows-repo';
import { finishRun, startRun } from '../../src-main/store/runs-repo';
import { emptyCounts } from '../../src-shared/domain/sync';

// A run's plan is stored in chunks of up to 1,000 changes (0010_plan_chunks.sql). These tests
// check every read of it against the plain list it was written from.

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lss-plan-chunks-'));
  store = openStore(join(dir, 'store.sqlite'));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A deterministic mix of every action, with missing fields and text that JSON must escape. */
function plan(n: number): StoredChange[] {
  const names = ['Anna', 'BEN', 'carla', 'Dörte', 'Émile', 'q"uote', 'back\\slash', 'tab\there', '☃snow'];
  return Array.from({ length: n }, (_, i) => {
    const action = SYNC_ACTIONS[(i * 7) % SYNC_ACTIONS.length];
    const name = `${names[i % names.length]}${i}`;
    return {
      seq: i,
      userId: action === 'error' ? null : `u-${i}`,
      username: i % 97 === 5 ? null : name,
      dn: i % 89 === 4 ? null : `uid=${name},OU=People,dc=example,dc=com`,
      action,
      ...(i % 3 === 0 && { from: `Dept ${i % 4}` }),
      ...(i % 2 === 0 && { to: `Dept ${i % 5}\n(new)` }),
      ...(i % 5 === 1 && { reason: `roles: Desktop User, "x" \u0001` }),
      data: action === 'create' ? { kind: 'create', id: `u-${i}` } : action === 'move' ? { kind: 'move', orgId: 'o-1' } : null,
    };
  });
}

/** A change as the plan view shows it (no apply data; a user id only on a reused username's row). */
function shown(c: StoredChange): PlanChange {
  const { userId, data: _data, ...row } = c;
  return c.action === 'reused' && userId !== null ? { ...row, userId } : row;
}

function newRun(id: string): void {
  store.db.prepare(`DELETE FROM sync_lock`).run();
  startRun(store.db, { id, serverId: null, serverName: 'Corp', kind: 'simulate', trigger: 'manual' });
}

function endRun(id: string, changes: readonly StoredChange[]): void {
  const counts = Object.fromEntries(SYNC_ACTIONS.map((a) => [a, changes.filter((c) => c.action === a).length]));
  store.db.transaction(() => {
    for (const [action, n] of Object.entries(counts)) if (n > 0) store.db.prepare(`INSERT INTO sync_change_counts (run_id, action, n) VALUES (?, ?, ?)`).run(id, action, n);
    finishRun(store.db, id, { status: 'simulated', counts: emptyCounts() });
  })();
}

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** planPage's answer computed the plain way, over the list. */
function reference(changes: readonly StoredChange[], filter: PlanFilter, search: string | null, offset: number, limit: number) {
  const term = search?.trim().toLowerCase() ?? '';
  const matching = changes.filter(
    (c) => (filter === 'all' || c.action === filter) && (term === '' || (c.username !== null && asciiLower(c.username).includes(term)) || (c.dn !== null && asciiLower(c.dn).includes(term))),
  );
  return { total: matching.length, rows: matching.slice(offset, offset + limit).map(shown) };
}

it('a plan written in turns reads back whole, in order, in chunks of at most 1,000', async () => {
  const changes = plan(2_345);
  newRun('r');
  await writeChangesInTurns(store.db, 'r', changes, false, async () => {});
  endRun('r', changes);
  const sizes = store.db.prepare(`SELECT first_seq AS first, n FROM sync_change_chunks WHERE run_id = 'r' ORDER BY first_seq`).all() as { first: number; n: number }[];
  expect(sizes.every((s) => s.n <= 1000)).toBe(true);
  expect(sizes.reduce((n, s) => n + s.n, 0)).toBe(2_345);
  expect([...runChanges(store.db, 'r')]).toEqual(changes.map(shown));
  // Without the apply data: none kept, and so no create's user id.
  expect(storedChanges(store.db, 'r').filter((c) => c.action === 'create').every((c) => c.userId === null && c.data === null)).toBe(true);
});

it('with its apply data, every change reads back as it was written', () => {
  const changes = plan(1_500);
  newRun('held');
  writeChanges(store.db, 'held', changes, true);
  expect(storedChanges(store.db, 'held')).toEqual(changes.map((c) => ({ ...shown(c), userId: c.userId, data: c.data })));
});

it('every page of the plan view is the slice of the plan it names: each filter, offsets across chunks, searches', () => {
  const changes = plan(2_345);
  newRun('r');
  // Chunks of uneven sizes (as a sync's worker writes what the planner sent so far).
  const write = changeRangeWriter(store.db, 'r');
  for (const [from, to] of [[0, 10], [10, 1500], [1500, 1501], [1501, 2345]]) write(changes, from, to, false);
  endRun('r', changes);
  for (const filter of ['all', ...SYNC_ACTIONS] as PlanFilter[]) {
    for (const offset of [0, 7, 99, 100, 111, 160, 260, 999, 1000, 2000, 2344, 3000]) {
      const page = planPage(store.db, { runId: 'r', filter, search: null, offset, limit: 50 });
      expect({ total: page.total, rows: page.rows }, `${filter} at ${offset}`).toEqual(reference(changes, filter, null, offset, 50));
    }
  }
  for (const search of ['anna1', 'ANNA', 'people', 'dörte', 'DÖRTE', 'émile1', 'q"uote', 'back\\slash', 'tab\there', '☃', '  Ben2  ', 'nobody']) {
    for (const filter of ['all', 'create', 'reused'] as PlanFilter[]) {
      for (const offset of [0, 3, 40]) {
        const page = planPage(store.db, { runId: 'r', filter, search, offset, limit: 25 });
        expect({ total: page.total, rows: page.rows }, `"${search}" ${filter} at ${offset}`).toEqual(reference(changes, filter, search, offset, 25));
      }
    }
  }
  // The counts by action come with every page.
  expect(planPage(store.db, { runId: 'r', filter: 'all', search: null, offset: 0, limit: 1 }).byAction).toEqual(
    Object.fromEntries(SYNC_ACTIONS.map((a) => [a, changes.filter((c) => c.action === a).length])),
  );
});

it('a running run has no counts yet: its pages count the chunks', () => {
  const changes = plan(1_200);
  newRun('live');
  writeChanges(store.db, 'live', changes);
  const page = planPage(store.db, { runId: 'live', filter: 'move', search: null, offset: 10, limit: 5 });
  expect(page.byAction.move).toBe(changes.filter((c) => c.action === 'move').length);
  expect({ total: page.total, rows: page.rows }).toEqual(reference(changes, 'move', null, 10, 5));
});

it("a run's reused usernames name their users, in plan order", () => {
  const changes = plan(2_100);
  newRun('r');
  writeChanges(store.db, 'r', changes);
  expect(reusedUsersOfRun(store.db, 'r')).toEqual(changes.filter((c) => c.action === 'reused' && c.userId !== null).map((c) => ({ userId: c.userId, username: c.username })));
});

it('refuses changes that are not consecutive in the plan, writing nothing of the chunk', () => {
  const changes = plan(5);
  newRun('r');
  const broken = [changes[0], changes[1], { ...changes[2], seq: 7 }];
  expect(() => writeChanges(store.db, 'r', broken)).toThrow(/change 2 has seq 7, not 2/);
  expect(store.db.prepare(`SELECT COUNT(*) AS n FROM sync_change_chunks`).get()).toEqual({ n: 0 });
});
