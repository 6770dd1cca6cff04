/**
 * Benchmark: a simulation's plan rows, written and shown, on the main thread as `ldap-sync simulate`
 * does it: concludeRun of a plan of N creates (the plan rows in transactions with the event loop's
 * turns between them, then the run's record), then the first page of the plan as the CLI prints it
 * and the app shows it (planPage), then the same page filtered to one action and with a search.
 * One process, one store; R rounds (each a new run of the same plan); medians of CPU (this
 * process: there is no other thread here) and wall, the longest event-loop block, and how much the
 * store grew per run. No thresholds.
 *
 *   npm run bench:plan-rows -- [--users 100000] [--runs 7]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { emptyCounts } from '../src-shared/domain/sync';
import { parseIntArgs } from './args';
import { collector, machineLine, MB, median, runBench, table } from './runtime';
import { openStore } from '../src-main/store/db';
import { planPage } from '../src-main/store/plan-rows-repo';
import { startRun } from '../src-main/store/runs-repo';
import { concludeRun } from '../src-main/sync/conclude-run';
import type { Plan } from '../src-main/sync/planner';
import { createPlan, setupStore } from './apply-plans';

const USAGE = 'usage: npm run bench:plan-rows -- [--users N (default 100000)] [--runs R (default 7)]';

interface Round {
  cpu: number;
  wall: number;
  block: number;
  page: number;
  filtered: number;
  search: number;
  bytes: number;
}

function ms(t0: number): number {
  return performance.now() - t0;
}

async function main(): Promise<number> {
  const { users, runs } = parseIntArgs(process.argv.slice(2), { users: 100_000, runs: 7 }, USAGE);
  console.log(machineLine());
  console.log(`command: npm run bench:plan-rows -- --users ${users} --runs ${runs}`);
  const gc = collector();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-plan-rows-'));
  const file = path.join(dir, 'store.sqlite');
  const store = openStore(file);
  const size = () => statSync(file).size + (() => { try { return statSync(`${file}-wal`).size; } catch { return 0; } })();
  try {
    const { db } = store;
    const { serverId, orgs } = setupStore(db);
    const changes = createPlan(users, orgs);
    const counts = { ...emptyCounts(), created: users };
    const plan: Plan = { changes, counts, seen: [], gone: [], entries: users, managedBefore: 0, activeBefore: 0, managedAfter: users, activeAfter: users };
    const rounds: Round[] = [];
    for (let r = 0; r < runs; r++) {
      const runId = randomUUID();
      startRun(db, { id: runId, serverId, serverName: 'Bench', kind: 'simulate', trigger: 'cli' });
      db.pragma('wal_checkpoint(TRUNCATE)');
      const before = size();
      gc();
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const outcome = await concludeRun(db, { runId, kind: 'simulate', serverId, plan, previous: null, lastSync: null, now: () => new Date() });
      const wall = ms(t0);
      const c = process.cpuUsage(c0);
      loop.disable();
      if (outcome !== 'simulated') throw new Error(`the run ended ${outcome}`);
      db.pragma('wal_checkpoint(TRUNCATE)');
      const bytes = size() - before;
      let t = performance.now();
      const page = planPage(db, { runId, filter: 'all', search: null, offset: 0, limit: 50 });
      const pageMs = ms(t);
      if (page.total !== users || page.rows.length !== Math.min(50, users)) throw new Error(`the first page shows ${page.rows.length} of ${page.total} rows`);
      t = performance.now();
      planPage(db, { runId, filter: 'create', search: null, offset: 1000, limit: 50 });
      const filtered = ms(t);
      t = performance.now();
      planPage(db, { runId, filter: 'all', search: 'user0999', offset: 0, limit: 50 });
      const search = ms(t);
      rounds.push({ cpu: (c.user + c.system) / 1000, wall, block: loop.max / 1e6, page: pageMs, filtered, search, bytes });
      console.log(`round ${r + 1}: plan rows cpu ${rounds[r].cpu.toFixed(0)} ms, wall ${wall.toFixed(0)} ms; first page ${pageMs.toFixed(1)} ms`);
    }
    const m = (k: keyof Round) => median(rounds.map((x) => x[k])).toFixed(1);
    console.log(`\nmedians of ${runs} runs of ${users} plan rows (creates):`);
    console.log(table(['measure', 'median'], [
      ['plan rows + run record: CPU ms', m('cpu')],
      ['plan rows + run record: wall ms', m('wall')],
      ['longest event-loop block ms', m('block')],
      ['first page (planPage, all, offset 0) ms', m('page')],
      ['a page filtered to creates, offset 1000, ms', m('filtered')],
      ['a page with a search, ms', m('search')],
      ['store growth per run, MB', (median(rounds.map((x) => x.bytes)) / MB).toFixed(1)],
    ]));
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

runBench(main);
