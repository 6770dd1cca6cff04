import { spawnSync } from 'node:child_process';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { finishRun, getRun, lockHolder, startRun } from '../../src-main/store/runs-repo';
import { storedChanges, writeChanges, type StoredChange } from '../../src-main/store/plan-rows-repo';
import { recoverAtStart, recoverStaleLock } from '../../src-main/sync/recovery';
import { withStore } from './store-fixture';

const NOW = new Date('2026-01-01T10:00:00.000Z');

/** The pid of a process that has ended. */
function deadPid(): number {
  const p = spawnSync(process.execPath, ['-e', '0']);
  return p.pid!;
}

/** A running run whose lock row says it belongs to `pid` on `host` (as a crashed process would leave it). */
function runLeftBy(db: Database.Database, pid: number, host?: string): void {
  startRun(db, { id: 'run-1', serverId: null, serverName: 'Corp', kind: 'simulate', trigger: 'cli' }, NOW);
  db.prepare(`UPDATE sync_lock SET pid = ?, host = coalesce(?, host)`).run(pid, host ?? null);
}

describe('crash recovery', () => {
  it('leaves a run of a live process alone', () =>
    withStore(({ db }) => {
      startRun(db, { id: 'run-1', serverId: null, serverName: 'Corp', kind: 'simulate', trigger: 'cli' }, NOW);
      expect(recoverStaleLock(db, NOW)).toBe(0);
      expect(recoverAtStart(db, NOW)).toBe(0);
      expect(getRun(db, 'run-1').status).toBe('running');
    }));

  it('marks the run of a dead process of this machine interrupted at the next look, and frees the lock', () =>
    withStore(({ db }) => {
      runLeftBy(db, deadPid());
      expect(recoverStaleLock(db, NOW)).toBe(1);
      expect(getRun(db, 'run-1')).toMatchObject({ status: 'interrupted', error: { code: 'CANCELLED' } });
      expect(lockHolder(db)).toBeUndefined();
    }));

  it('leaves the lock of another machine to that machine on a look, but recovers at start only what it can tell is dead', () =>
    withStore(({ db }) => {
      runLeftBy(db, deadPid(), 'another-host');
      expect(recoverStaleLock(db, NOW)).toBe(0);
      expect(recoverAtStart(db, NOW)).toBe(0);
      expect(getRun(db, 'run-1').status).toBe('running');
    }));

  it('marks runs left running without a lock interrupted when the service starts', () =>
    withStore(({ db }) => {
      runLeftBy(db, deadPid());
      db.prepare(`DELETE FROM sync_lock`).run();
      expect(recoverAtStart(db, NOW)).toBe(1);
      expect(getRun(db, 'run-1').status).toBe('interrupted');
    }));

  it('drops the plan rows a dead run wrote before its end, and keeps those of finished runs', () =>
    withStore(({ db }) => {
      startRun(db, { id: 'done', serverId: null, serverName: 'Corp', kind: 'simulate', trigger: 'cli' }, NOW);
      writeChanges(db, 'done', [change(0)]);
      finishRun(db, 'done', { status: 'simulated' }, NOW);
      runLeftBy(db, deadPid());
      writeChanges(db, 'run-1', [change(0), change(1)]);
      expect(recoverAtStart(db, NOW)).toBe(1);
      expect(getRun(db, 'run-1').status).toBe('interrupted');
      expect(storedChanges(db, 'run-1')).toEqual([]);
      expect(storedChanges(db, 'done')).toHaveLength(1);
    }));
});

function change(seq: number): StoredChange {
  return { seq, username: `u${seq}`, dn: null, userId: `id-${seq}`, action: 'deactivate', reason: 'Not returned by the search', data: null };
}
