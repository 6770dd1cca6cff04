/**
 * Benchmark: the SQLite write path of a sync, alone (no LDAP, no scripts, no planner). Each round
 * runs in a fresh child process on a fresh store file and times, in ONE transaction as
 * SyncService does it (applyChanges + the run's plan rows + finishRun):
 *   - create: a first sync's plan of N `create` changes shaped as the planner makes them
 *             (ordered user ids, 10 organizations, 1 role each, 2 roles for every 10th user);
 *   - resync: then, on the same store, a plan of M moves + R role changes of existing users.
 * For each: CPU of the process (process.cpuUsage, user + system; SQLite works on the main thread)
 * and wall time of the apply, of the plan rows, of the commit (the transaction's return: WAL
 * write, and the WAL checkpoint unless the apply deferred it) and in total; then of the checkpoint
 * a large apply runs right after its transaction (see checkpointAfterTransaction), reported on its
 * own line; and the store check (PRAGMA quick_check) every apply runs first, on the store after the
 * creates. Plus RSS before the timed run and the child's peak RSS, and the store's size. Prints
 * figures, medians over the rounds; no thresholds.
 *
 *   npm run bench:apply -- [--users 100000] [--runs 5] [--moves 1000] [--roles 1000] [--chunk 0]
 *
 * --chunk N writes the plans as the apply worker does for a sync applied while its plan is made
 * (apply-worker.ts, 'rows' messages): N changes at a time, their plan rows then their changes; the
 * apply and plan rows parts add up the chunks. 0 (default): all changes, then all plan rows.
 *
 * For experiments: BENCH_APPLY_PRAGMAS runs extra pragmas after the store is opened
 * (e.g. "cache_size=-16384;synchronous=FULL"); BENCH_APPLY_SQL names a file of SQL run once the
 * store is migrated, with foreign keys off as in a migration (e.g. a candidate schema change);
 * BENCH_APPLY_PAGE_SIZE=4096 makes the store with that page size, as stores made before 16 KiB
 * pages were (their page size cannot change).
 *
 * Internal: `--child` runs one round; its input comes in BENCH_APPLY_INPUT (JSON) and its result
 * goes to stdout as one `BENCH_APPLY_RESULT {json}` line.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { parseIntArgs } from './args';
import { collector, machineLine, MB, median, runBench, runTsxChild, table } from './runtime';
import { openDatabase } from '../src-main/native/sqlite-binding';
import { checkpointAfterTransaction, openStore } from '../src-main/store/db';
import { checkStore } from '../src-main/store/integrity';
import { finishRun, startRun } from '../src-main/store/runs-repo';
import { changeRangeWriter, type StoredChange } from '../src-main/store/plan-rows-repo';
import { applyChanges, planApplier } from '../src-main/sync/apply';
import { emptyCounts } from '../src-shared/domain/sync';
import { createPlan, resyncPlan, setupStore } from './apply-plans';

const USAGE = 'usage: npm run bench:apply -- [--users N (default 100000)] [--runs R (default 5)] [--moves M (default 1000)] [--roles R (default 1000)] [--chunk N (default 0: not streamed)]';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);

interface Input {
  users: number;
  moves: number;
  roles: number;
  chunk: number;
}

/** CPU (user + system; system alone) and wall milliseconds of one part of a timed run. */
interface Part {
  cpu: number;
  sys: number;
  wall: number;
}

interface Timed {
  apply: Part;
  rows: Part;
  commit: Part;
  /** apply + rows + commit. */
  total: Part;
  /** The WAL checkpoint of a large plan, run right after its transaction (see checkpointAfterTransaction). */
  checkpoint: Part;
  /** RSS after a full GC just before the timed run, bytes. */
  rssBefore: number;
  rssAfter: number;
}

interface Result {
  create: Timed;
  resync: Timed;
  /** The store check every apply runs first (PRAGMA quick_check, in the apply worker), on the store after the creates. */
  check: Part;
  usersInStore: number;
  /** After the creates. */
  rolesInStore: number;
  planRows: number;
  /** Store and WAL file sizes after the runs, bytes. */
  dbBytes: number;
  walBytes: number;
  maxRss: number;
}

// ---------------------------------------------------------------------------------------------
// Child side: one round.

/**
 * Applies `changes` as a sync run does: apply + plan rows + finishRun in one transaction, timed
 * part by part; then waits for the next turn of the event loop, which runs a deferred checkpoint.
 */
async function timedRun(db: Database.Database, serverId: string, changes: readonly StoredChange[], gc: () => void, chunk: number): Promise<Timed> {
  if (chunk > 0) return timedStreamedRun(db, serverId, changes, gc, chunk);
  const runId = randomUUID();
  const run = startRun(db, { id: runId, serverId, serverName: 'Bench', kind: 'sync', trigger: 'cli' });
  gc();
  const rssBefore = process.memoryUsage().rss;
  const marks: { cpu: number; sys: number; wall: number }[] = [];
  const mark = () => {
    const u = process.cpuUsage();
    marks.push({ cpu: (u.user + u.system) / 1000, sys: u.system / 1000, wall: performance.now() });
  };
  mark();
  db.transaction(() => {
    applyChanges(db, { serverId, changes, seen: [], gone: [], lastSyncAt: null, seenAt: run.startedAt, now: new Date() });
    mark();
    // As SyncService.writeChanges for an applied run (without the apply data).
    changeRangeWriter(db, runId)(changes, 0, changes.length, false);
    mark();
    finishRun(db, runId, { status: 'applied', counts: emptyCounts() });
  })();
  mark();
  await new Promise((resolve) => setImmediate(resolve));
  mark();
  const part = (a: number, b: number): Part => ({ cpu: marks[b].cpu - marks[a].cpu, sys: marks[b].sys - marks[a].sys, wall: marks[b].wall - marks[a].wall });
  return { apply: part(0, 1), rows: part(1, 2), commit: part(2, 3), total: part(0, 3), checkpoint: part(3, 4), rssBefore, rssAfter: process.memoryUsage().rss };
}

/** As {@link timedRun}, with the changes written `chunk` at a time as the apply worker gets them: plan rows, then the changes. */
async function timedStreamedRun(db: Database.Database, serverId: string, changes: readonly StoredChange[], gc: () => void, chunk: number): Promise<Timed> {
  const runId = randomUUID();
  const run = startRun(db, { id: runId, serverId, serverName: 'Bench', kind: 'sync', trigger: 'cli' });
  gc();
  const rssBefore = process.memoryUsage().rss;
  const now = (): Part => {
    const u = process.cpuUsage();
    return { cpu: (u.user + u.system) / 1000, sys: u.system / 1000, wall: performance.now() };
  };
  const add = (to: Part, from: Part) => {
    const t = now();
    to.cpu += t.cpu - from.cpu;
    to.sys += t.sys - from.sys;
    to.wall += t.wall - from.wall;
  };
  const apply: Part = { cpu: 0, sys: 0, wall: 0 };
  const rows: Part = { cpu: 0, sys: 0, wall: 0 };
  const t0 = now();
  db.transaction(() => {
    if (changes.length >= 1000) checkpointAfterTransaction(db);
    const applier = planApplier(db, { serverId, lastSyncAt: null, seenAt: run.startedAt, now: new Date() });
    const write = changeRangeWriter(db, runId);
    for (let from = 0; from < changes.length; from += chunk) {
      const to = Math.min(changes.length, from + chunk);
      const r = now();
      write(changes, from, to, false);
      add(rows, r);
      const a = now();
      applier.changes(changes.slice(from, to));
      add(apply, a);
    }
    finishRun(db, runId, { status: 'applied', counts: emptyCounts() });
  })();
  const t1 = now();
  await new Promise((resolve) => setImmediate(resolve));
  const t2 = now();
  const diff = (a: Part, b: Part): Part => ({ cpu: b.cpu - a.cpu, sys: b.sys - a.sys, wall: b.wall - a.wall });
  const total = diff(t0, t1);
  const commit = { cpu: total.cpu - apply.cpu - rows.cpu, sys: total.sys - apply.sys - rows.sys, wall: total.wall - apply.wall - rows.wall };
  return { apply, rows, commit, total, checkpoint: diff(t1, t2), rssBefore, rssAfter: process.memoryUsage().rss };
}

/** CPU and wall time of the store check an apply runs first; throws if the store is not sound. */
function timedCheck(db: Database.Database): Part {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = checkStore(db, 'quick');
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (!r.ok) throw new Error(`the store check failed: ${r.problems.join('; ')}`);
  return { cpu: (cpu.user + cpu.system) / 1000, sys: cpu.system / 1000, wall };
}

async function child(): Promise<number> {
  const input = JSON.parse(process.env.BENCH_APPLY_INPUT ?? 'null') as Input | null;
  if (!input) throw new Error('--child is internal: BENCH_APPLY_INPUT is missing');
  const gc = collector();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-apply-'));
  try {
    const file = path.join(dir, 'store.sqlite');
    if (process.env.BENCH_APPLY_PAGE_SIZE) {
      // The page size of a file is fixed by its first page: make that page before openStore does.
      const raw = openDatabase(file);
      raw.pragma(`page_size = ${Number(process.env.BENCH_APPLY_PAGE_SIZE)}`);
      raw.pragma('journal_mode = WAL');
      raw.close();
    }
    const store = openStore(file);
    try {
      const db = store.db;
      for (const p of (process.env.BENCH_APPLY_PRAGMAS ?? '').split(';').map((s) => s.trim()).filter(Boolean)) db.pragma(p);
      if (process.env.BENCH_APPLY_SQL) {
        db.pragma('foreign_keys = OFF');
        db.exec(readFileSync(process.env.BENCH_APPLY_SQL, 'utf8'));
        db.pragma('foreign_keys = ON');
      }
      const { serverId, orgs } = setupStore(db);
      const created = createPlan(input.users, orgs);
      const create = await timedRun(db, serverId, created, gc, input.chunk);
      const rolesInStore = (db.prepare(`SELECT COUNT(*) AS n FROM user_roles`).get() as { n: number }).n;
      const check = timedCheck(db);
      const resync = await timedRun(db, serverId, resyncPlan(created, input.moves, input.roles, orgs), gc, input.chunk);
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      const usersInStore = count(`SELECT COUNT(*) AS n FROM users`);
      const planRows = count(`SELECT COALESCE(SUM(n), 0) AS n FROM sync_change_chunks`);
      const size = (f: string) => {
        try {
          return statSync(f).size;
        } catch {
          return 0;
        }
      };
      const result: Result = { create, resync, check, usersInStore, rolesInStore, planRows, dbBytes: size(file), walBytes: size(`${file}-wal`), maxRss: process.resourceUsage().maxRSS * 1024 };
      process.stdout.write(`BENCH_APPLY_RESULT ${JSON.stringify(result)}\n`);
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Parent side.

function runChild(input: Input): Promise<Result> {
  return runTsxChild<Result>({ script: SELF, args: ['--child'], cwd: ROOT, inputVar: 'BENCH_APPLY_INPUT', input, marker: 'BENCH_APPLY_RESULT' });
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child();
  const { users, runs, moves, roles, chunk } = parseIntArgs(argv, { users: 100_000, runs: 5, moves: 1000, roles: 1000, chunk: 0 }, USAGE);
  console.log(machineLine());
  const env = ['BENCH_APPLY_PRAGMAS', 'BENCH_APPLY_SQL', 'BENCH_APPLY_PAGE_SIZE'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`);
  console.log(`command: npm run bench:apply -- --users ${users} --runs ${runs} --moves ${moves} --roles ${roles} --chunk ${chunk}${env.length ? ` (${env.join(', ')})` : ''}`);
  const results: Result[] = [];
  for (let r = 0; r < runs; r++) {
    const res = await runChild({ users, moves, roles, chunk });
    const expected = { usersInStore: users, rolesInStore: users + Math.floor(users / 10), planRows: users + Math.min(users, moves + roles) };
    for (const [k, v] of Object.entries(expected)) {
      if (res[k as keyof typeof expected] !== v) throw new Error(`round ${r + 1}: ${k} ${res[k as keyof typeof expected]}, expected ${v}`);
    }
    results.push(res);
    const f = (t: Timed) => `cpu ${t.total.cpu.toFixed(0)} ms, wall ${t.total.wall.toFixed(0)} ms`;
    console.log(`round ${r + 1}: create ${f(res.create)}; resync ${f(res.resync)}; peak RSS ${(res.maxRss / MB).toFixed(0)} MB`);
  }
  const ms = (xs: number[]) => median(xs).toFixed(1);
  const rows: string[][] = [];
  for (const phase of ['create', 'resync'] as const) {
    for (const part of ['apply', 'rows', 'commit', 'total', 'checkpoint'] as const) {
      const label = { apply: 'apply', rows: 'plan rows', commit: 'commit', total: 'total (apply + rows + commit)', checkpoint: 'checkpoint after' }[part];
      const of = (k: keyof Part) => ms(results.map((r) => r[phase][part][k]));
      rows.push([`${phase}: ${label}`, of('cpu'), of('sys'), of('wall')]);
    }
  }
  rows.push(['store check before an apply (quick_check, apply worker), after the creates', ms(results.map((r) => r.check.cpu)), ms(results.map((r) => r.check.sys)), ms(results.map((r) => r.check.wall))]);
  console.log(`\nmedians of ${runs} rounds (${users} creates; then ${moves} moves + ${roles} role changes):`);
  console.log(table(['part', 'CPU ms', 'of which system', 'wall ms'], rows));
  const mb = (xs: number[]) => `${(median(xs) / MB).toFixed(0)} MB`;
  console.log(
    `\nRSS before create ${mb(results.map((r) => r.create.rssBefore))}, after create ${mb(results.map((r) => r.create.rssAfter))}, ` +
      `after resync ${mb(results.map((r) => r.resync.rssAfter))}, peak ${mb(results.map((r) => r.maxRss))}`,
  );
  console.log(`store ${mb(results.map((r) => r.dbBytes))}, WAL after the runs ${mb(results.map((r) => r.walBytes))}`);
  return 0;
}

runBench(main);
