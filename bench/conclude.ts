/**
 * Benchmark: the end of a run once its plan is made, as `ldap-sync simulate` / `sync` run it
 * (concludeRun: plan rows, the store check, the apply in the apply worker, the run record), then
 * the store's close (the WAL checkpoint a large apply leaves). No LDAP, scripts or planner: the
 * plans are synthetic (bench/apply-plans.ts). Each round runs in a fresh child process on a fresh
 * store file, three phases in order on the same store:
 *   - simulate: a simulation's plan of N creates (plan rows only);
 *   - sync:     a first sync of the same N creates (plan rows + the apply);
 *   - resync:   a sync of M moves + R role changes of those users, the N users seen unchanged;
 *   - the same re-sync again, its apply worker started ahead as a sync run starts it (apply-ahead.ts)
 *     and given 1 s (a directory read's time) before the timing starts.
 * Then the store is closed. For each: CPU of the whole process (process.cpuUsage: every thread,
 * the apply worker's included) and wall time, and the main thread's longest block of its event
 * loop. The apply worker starts through tsx here (a built CLI starts it from plain JavaScript):
 * one worker is started and stopped before the first phase so that tsx's cache is warm. Prints
 * medians over the rounds; no thresholds.
 *
 *   npm run bench:conclude -- [--users 100000] [--runs 5] [--moves 1000] [--roles 1000]
 *
 * Internal: `--child` runs one round (input in BENCH_CONCLUDE_INPUT, result on stdout as one
 * `BENCH_CONCLUDE_RESULT {json}` line).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { emptyCounts } from '../src-shared/domain/sync';
import { parseIntArgs } from './args';
import { collector, machineLine, MB, median, runBench, runTsxChild, table } from './runtime';
import { openStore } from '../src-main/store/db';
import { getRun, startRun } from '../src-main/store/runs-repo';
import type { StoredChange } from '../src-main/store/plan-rows-repo';
import { applyInWorker } from '../src-main/sync/apply-in-worker';
import { withApplyAhead } from '../src-main/sync/apply-ahead';
import { concludeRun } from '../src-main/sync/conclude-run';
import type { Plan, SeenUser } from '../src-main/sync/planner';
import { createPlan, resyncPlan, setupStore } from './apply-plans';

const USAGE = 'usage: npm run bench:conclude -- [--users N (default 100000)] [--runs R (default 5)] [--moves M (default 1000)] [--roles R (default 1000)]';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);

interface Input {
  users: number;
  moves: number;
  roles: number;
}

/** CPU (all threads) and wall milliseconds, and the main thread's longest event-loop block. */
interface Part {
  cpu: number;
  wall: number;
  block: number;
}

interface Result {
  simulate: Part;
  sync: Part;
  resync: Part;
  /** The same re-sync with its apply worker started ahead (the worker's start and store check not in its time). */
  resyncAhead: Part;
  close: Part;
  users: number;
  planRows: number;
  maxRss: number;
}

// ---------------------------------------------------------------------------------------------
// Child side: one round.

function planOf(changes: StoredChange[], seen: SeenUser[], entries: number, managedBefore: number): Plan {
  const counts = emptyCounts();
  for (const c of changes) if (c.action in counts) counts[c.action as keyof typeof counts]++;
  return { changes, counts, seen, gone: [], entries, managedBefore, activeBefore: managedBefore, managedAfter: entries, activeAfter: entries };
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<Part> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  h.disable();
  return { cpu: (c.user + c.system) / 1000, wall, block: h.max / 1e6 };
}

/**
 * Concludes a new run of `plan`. `ahead`: the run's apply worker is started first (as a sync run
 * does, withApplyAhead) and given 1 s, the time a directory read would take, outside the timing.
 */
async function conclude(db: Database.Database, serverId: string, kind: 'simulate' | 'sync', plan: Plan, ahead = false): Promise<Part> {
  const runId = randomUUID();
  startRun(db, { id: runId, serverId, serverName: 'Bench', kind, trigger: 'cli' });
  const lastSync = null;
  const run = () => concludeRun(db, { runId, kind, serverId, plan, previous: null, lastSync, now: () => new Date() });
  const part = ahead
    ? await withApplyAhead(db, runId, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return timed(run);
      })
    : await timed(run);
  const status = getRun(db, runId).status;
  if (status !== (kind === 'sync' ? 'applied' : 'simulated')) throw new Error(`${kind}: the run ended ${status}`);
  return part;
}

async function child(): Promise<number> {
  const input = JSON.parse(process.env.BENCH_CONCLUDE_INPUT ?? 'null') as Input | null;
  if (!input) throw new Error('--child is internal: BENCH_CONCLUDE_INPUT is missing');
  const gc = collector();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-conclude-'));
  try {
    const store = openStore(path.join(dir, 'store.sqlite'));
    const db = store.db;
    const { serverId, orgs } = setupStore(db);
    // Warms tsx's cache for the apply worker (an approval of nothing fails fast, in the worker).
    await applyInWorker(db, { kind: 'approve', heldRunId: 'none', runId: 'none', serverId, held: { entries: 0, managedBefore: 0, counts: emptyCounts() }, now: new Date().toISOString() }).catch(() => {});
    const created = createPlan(input.users, orgs);
    gc();
    const simulate = await conclude(db, serverId, 'simulate', planOf(created, [], input.users, 0));
    gc();
    const sync = await conclude(db, serverId, 'sync', planOf(created, [], input.users, 0));
    const seen: SeenUser[] = created.map((c) => ({ id: c.userId!, dn: c.dn!, directoryId: null, changed: false }));
    const changes = resyncPlan(created, input.moves, input.roles, orgs);
    gc();
    const resync = await conclude(db, serverId, 'sync', planOf(changes, seen, input.users, input.users));
    gc();
    const resyncAhead = await conclude(db, serverId, 'sync', planOf(resyncPlan(created, input.moves, input.roles, orgs), seen, input.users, input.users), true);
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const users = count(`SELECT COUNT(*) AS n FROM users`);
    const planRows = count(`SELECT COALESCE(SUM(n), 0) AS n FROM sync_change_chunks`);
    const close = await timed(() => store.close());
    const result: Result = { simulate, sync, resync, resyncAhead, close, users, planRows, maxRss: process.resourceUsage().maxRSS * 1024 };
    process.stdout.write(`BENCH_CONCLUDE_RESULT ${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Parent side.

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child();
  const { users, runs, moves, roles } = parseIntArgs(argv, { users: 100_000, runs: 5, moves: 1000, roles: 1000 }, USAGE);
  console.log(machineLine());
  console.log(`command: npm run bench:conclude -- --users ${users} --runs ${runs} --moves ${moves} --roles ${roles}`);
  const results: Result[] = [];
  for (let r = 0; r < runs; r++) {
    const res = await runTsxChild<Result>({ script: SELF, args: ['--child'], cwd: ROOT, inputVar: 'BENCH_CONCLUDE_INPUT', input: { users, moves, roles }, marker: 'BENCH_CONCLUDE_RESULT' });
    const planRows = 2 * users + 2 * Math.min(users, moves + roles);
    if (res.users !== users || res.planRows !== planRows) throw new Error(`round ${r + 1}: ${res.users} users and ${res.planRows} plan rows, expected ${users} and ${planRows}`);
    results.push(res);
    const f = (p: Part) => `cpu ${p.cpu.toFixed(0)} / wall ${p.wall.toFixed(0)} ms`;
    console.log(`round ${r + 1}: simulate ${f(res.simulate)}; sync ${f(res.sync)}; resync ${f(res.resync)}; resync ahead ${f(res.resyncAhead)}; close ${f(res.close)}; peak RSS ${(res.maxRss / MB).toFixed(0)} MB`);
  }
  const ms = (xs: number[]) => median(xs).toFixed(1);
  const rows = (['simulate', 'sync', 'resync', 'resyncAhead', 'close'] as const).map((phase) => [phase === 'resyncAhead' ? 'resync, worker started ahead' : phase, ms(results.map((r) => r[phase].cpu)), ms(results.map((r) => r[phase].wall)), ms(results.map((r) => r[phase].block))]);
  console.log(`\nmedians of ${runs} rounds (${users} creates; then ${moves} moves + ${roles} role changes):`);
  console.log(table(['phase', 'CPU ms (all threads)', 'wall ms', 'longest block ms'], rows));
  return 0;
}

runBench(main);
