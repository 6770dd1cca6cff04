import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import { applyConfig } from '../../src-main/config/apply';
import { parseConfig } from '../../src-main/config/parse-config';
import { RETRY_AFTER_FAILURE_MS } from '../../src-main/sync/schedule';
import { finishRun, startRun } from '../../src-main/store/runs-repo';
import { findServerByName } from '../../src-main/store/servers-repo';
import { Scheduler, type ScheduledRun, type SchedulerSync } from '../../src-main/sync/scheduler';
import type { RunSummary, SyncProgress } from '../../src-shared/domain/sync';
import { closedPort, startHangListener, type HangListener } from '../rig/hang-listener';

const FILTER = '(&(objectClass=inetOrgPerson)(uid=?))';
const HOUR = 3_600_000;

let dir: string;
let app: AppContext;
let refused: number;
let hang: HangListener;
beforeAll(async () => {
  [refused, hang] = await Promise.all([closedPort(), startHangListener()]);
});
afterAll(() => hang?.close());
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-scheduler-'));
  app = open();
});
afterEach(async () => {
  vi.useRealTimers();
  app.close();
  await rm(dir, { recursive: true, force: true });
});

function open(): AppContext {
  return createAppContext({ dbPath: path.join(dir, 'store.sqlite'), env: {} });
}

/** A server on 127.0.0.1 (anonymous bind) with an organization signing in with it, so the schedule covers it. */
const managed = (name: string, url: string) => ({
  server: { name, url: `${url}/ou=people,dc=example,dc=com`, bindAnonymously: true, searchFilter: FILTER, timeoutSeconds: 120 },
  org: { name: `${name} users`, auth: { ldapServer: name } },
});

function configure(entries: ReturnType<typeof managed>[], every = '12h', extraServers: Record<string, unknown>[] = []) {
  const parsed = parseConfig(JSON.stringify({ servers: [...entries.map((e) => e.server), ...extraServers], organizations: entries.map((e) => e.org), sync: { every } }), { baseDir: dir });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  applyConfig(app.store.db, parsed.config);
  // The schedule runs a server only after a first sync by hand: record one, two days ago.
  const before = new Date(Date.now() - 48 * HOUR);
  for (const e of entries) {
    const server = findServerByName(app.store.db, e.server.name)!;
    const id = `first-${server.id}`;
    startRun(app.store.db, { id, serverId: server.id, serverName: server.name, kind: 'sync', trigger: 'manual' }, before);
    finishRun(app.store.db, id, { status: 'applied', entries: 0 }, before);
  }
}

/** The real sync service, counting how many of its runs overlap (a spy, not a stand-in). */
function watched(ctx: AppContext) {
  const state = { active: 0, maxActive: 0, started: [] as string[], checks: 0 };
  const sync: SchedulerSync = {
    dueServers: (now) => {
      state.checks++;
      return ctx.sync.dueServers(now);
    },
    run: async (opts: ScheduledRun) => {
      state.active++;
      state.maxActive = Math.max(state.maxActive, state.active);
      state.started.push(opts.serverId);
      try {
        return await ctx.sync.run(opts);
      } finally {
        state.active--;
      }
    },
  };
  return { sync, state };
}

/**
 * Progress callbacks that resolve `holding` at a run's first event ('connecting': the run holds the
 * store's lock by then), so a test waits for that moment without polling.
 */
function lockTaken() {
  let taken!: () => void;
  const holding = new Promise<void>((r) => (taken = r));
  return { holding, onProgress: (p: SyncProgress) => p.phase === 'connecting' && taken() };
}

/**
 * The scheduler's own timer runs on a fake clock (vi.useFakeTimers), so ticks come when the test
 * advances time, not after real waits. Only setTimeout/clearTimeout are faked: the runs' sockets
 * and SQLite work as they are.
 */
function fakeTimers(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
}

const scheduledRuns = () => app.sync.history({ serverId: null, status: null, offset: 0, limit: 500 }).runs.filter((r) => r.trigger === 'schedule');

describe('the sync scheduler', () => {
  it('runs each due server once, one at a time, and again only when the schedule says so', async () => {
    const local = `ldap://127.0.0.1:${refused}`;
    configure([managed('Alpha', local), managed('Beta', local)], '12h', [{ name: 'Unmanaged', url: `${local}/dc=example,dc=com`, bindAnonymously: true, searchFilter: FILTER }]);
    let clock = new Date();
    const lines: string[] = [];
    const { sync, state } = watched(app);
    const finished: RunSummary[] = [];
    const scheduler = new Scheduler({ sync, now: () => clock, log: (l) => lines.push(l), onFinished: (r) => finished.push(r) });

    const first = await scheduler.tick();
    expect(first.map((r) => [r.serverName, r.kind, r.trigger, r.status, r.error?.code])).toEqual([
      ['Alpha', 'sync', 'schedule', 'failed', 'CONNECT_REFUSED'],
      ['Beta', 'sync', 'schedule', 'failed', 'CONNECT_REFUSED'],
    ]);
    expect(finished).toEqual(first);
    expect(state.maxActive).toBe(1);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(`${clock.toISOString()} Alpha: sync started (run ${first[0].id}, scheduled)`);
    expect(lines[1]).toMatch(new RegExp(`^${clock.toISOString()} Alpha: sync failed in [\\d.]+ s; 0 deactivated, 0 reactivated, 0 created, 0 moved, 0 roles changed, 0 updated, 0 errors \\(run ${first[0].id}\\)\\. CONNECT_REFUSED: `));

    // Ten minutes later nothing is due; a failed sync is retried 15 minutes after the attempt.
    const attempt = clock.getTime();
    clock = new Date(attempt + 10 * 60_000);
    expect(await scheduler.tick()).toEqual([]);
    clock = new Date(attempt + RETRY_AFTER_FAILURE_MS + 60_000); // a minute of slack: the runs started a little after the fake clock's time
    expect((await scheduler.tick()).map((r) => r.serverName)).toEqual(['Alpha', 'Beta']);
    expect(scheduledRuns()).toHaveLength(4);
    expect(state.maxActive).toBe(1);
  });

  it('checks at start and every tick until stopped, joining a tick in progress instead of starting another', async () => {
    configure([managed('Alpha', `ldap://127.0.0.1:${refused}`)], '5m');
    fakeTimers();
    let clock = new Date();
    const { sync, state } = watched(app);
    const scheduler = new Scheduler({ sync, now: () => clock, tickMs: 60_000 });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0); // the first check comes at once
    await scheduler.tick(); // joins it: the run of the due server
    expect(state.checks).toBe(1);
    expect(scheduledRuns()).toHaveLength(1);
    // Ticks keep coming, one a minute, but nothing is due until the clock moves on.
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(state.checks).toBe(4);
    expect(scheduledRuns()).toHaveLength(1);
    clock = new Date(clock.getTime() + 6 * 60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    await scheduler.tick();
    expect(scheduledRuns()).toHaveLength(2);
    await scheduler.stop();
    expect(vi.getTimerCount()).toBe(0);
    clock = new Date(clock.getTime() + HOUR);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(scheduledRuns()).toHaveLength(2);
    expect(state.maxActive).toBe(1);

    const [a, b] = [scheduler.tick(), scheduler.tick()];
    expect(a).toBe(b);
    expect(await a).toEqual([]); // a stopped scheduler starts nothing
  });

  it('logs a server another process is syncing (BUSY) and runs it at the next tick', async () => {
    configure([managed('Alpha', `ldap://127.0.0.1:${refused}`)], '12h', [{ name: 'Slow', url: `${hang.url}/dc=example,dc=com`, bindAnonymously: true, searchFilter: FILTER, timeoutSeconds: 120 }]);
    // A second context on the same store plays the other process: its simulation holds the run lock.
    const other = open();
    try {
      const slow = other.servers.byName('Slow');
      const lock = lockTaken();
      const holding = other.sync.run({ serverId: slow.id, mode: 'simulate', trigger: 'cli', runId: '00000000-0000-4000-8000-000000000001', onProgress: lock.onProgress });
      await lock.holding;
      expect(app.sync.overview().running).not.toBeNull();
      const lines: string[] = [];
      const { sync, state } = watched(app);
      const scheduler = new Scheduler({ sync, log: (l) => lines.push(l) });
      expect(await scheduler.tick()).toEqual([]);
      expect(state.started).toHaveLength(1);
      expect(lines[1]).toMatch(/Alpha: sync not started: Only one run at a time: a simulation of "Slow" .* Trying again at the next check\.$/);

      expect(other.sync.cancel('00000000-0000-4000-8000-000000000001')).toBe(true);
      expect((await holding).status).toBe('cancelled');
      expect((await scheduler.tick()).map((r) => [r.serverName, r.status])).toEqual([['Alpha', 'failed']]);
    } finally {
      other.close();
    }
  });

  it('stop() cancels the run in progress through its signal, waits for it and frees the lock', async () => {
    // Alpha's directory never answers; Beta comes after it in the same tick.
    configure([managed('Alpha', hang.url), managed('Beta', `ldap://127.0.0.1:${refused}`)]);
    fakeTimers();
    const lines: string[] = [];
    const { sync, state } = watched(app);
    const lock = lockTaken();
    const scheduler = new Scheduler({ sync, log: (l) => lines.push(l), tickMs: 60_000, onProgress: lock.onProgress });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    await lock.holding;
    expect(app.sync.overview().running).not.toBeNull();
    await scheduler.stop(); // resolves only once the run has ended
    expect(app.sync.overview().running).toBeNull();
    // The cancelled run is recorded as such, and the server after it was not started.
    expect(scheduledRuns().map((r) => [r.serverName, r.status])).toEqual([['Alpha', 'cancelled']]);
    expect(lines.some((l) => / Alpha: sync cancelled /.test(l))).toBe(true);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(state.checks).toBe(1);
    expect(scheduledRuns()).toHaveLength(1);
  });
});
