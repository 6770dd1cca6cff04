/**
 * Benchmark: the built script worker's start, from `new Worker` to its first evaluation's reply,
 * each in a fresh process (as every CLI run starts one).
 *
 *   npm run bench:script-worker-start -- [--runs 15] [--entries 200] [--base OTHER/dist/cli] [--flags "--a,--b --c"]
 *
 * A small plain-Node child starts dist/cli/script-worker.js (the launcher with its code cache, as
 * start-worker.ts does in the CLI) and sends it one evaluate request: bench:sync's three scripts over
 * `--entries` entries packed on the parent's side (what a run's first page sends through the outcome
 * memo: ~200 distinct inputs). The child reports the process's CPU (user + system over all
 * threads, its own idle main thread included) from just before the worker starts to the reply, and
 * the wall times to `ready` and to the reply. `--base` runs another build's dist/cli in the same
 * rounds (copy dist/cli somewhere before a change: its node_modules are found from its folder, so
 * put it where a parent folder has node_modules); `--flags` runs each build once per comma-separated
 * set of Node/V8 flags (an empty set: none), e.g. `--flags ",--wasm-lazy-validation"`.
 * Medians after one warm-up round (which also writes each build's code cache).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIntArgs } from './args';
import { machineLine, median, runBench, table } from './runtime';
import type { ServerScripts } from '../src-shared/domain/mapping';
import { DEFAULT_SCRIPT_LIMITS } from '../src-shared/domain/scripts';
import { BATCH_SIZE } from '../src-main/scripts/evaluation';
import { packBatch, scriptPlan } from '../src-main/scripts/wire';
import { withPlan } from '../src-main/scripts/request-plan';
import type { EntryInput } from '../src-main/scripts/engine';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const SYNC_SCRIPTS: ServerScripts = {
  active: "function(entry) { return entry.employeeType !== 'terminated'; }",
  orgName: "function(entry) { return 'Dept ' + entry.departmentNumber; }",
  roleName: "function(entry) { return entry.employeeType === 'admin' ? ['Desktop User', 'Org Admin'] : ['Desktop User']; }",
};
const TYPES = ['staff', 'staff', 'contractor', 'admin', 'terminated', 'intern'];

/** The child: starts the worker, sends the request, prints one JSON line of timings. */
const CHILD = `
const { Worker } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const [file, requestFile] = process.argv.slice(1);
const { request, limits } = JSON.parse(readFileSync(requestFile, 'utf8'));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let readyMs = 0;
let readyCpuMs = 0;
const worker = new Worker(file, { workerData: { limits, progress: new SharedArrayBuffer(48) }, resourceLimits: { maxOldGenerationSizeMb: 256 } });
worker.on('message', (m) => {
  if (m.type === 'ready') { const c = process.cpuUsage(cpu0); readyCpuMs = (c.user + c.system) / 1000; readyMs = performance.now() - t0; worker.postMessage(request); return; }
  const cpu = process.cpuUsage(cpu0);
  const replyMs = performance.now() - t0;
  if (m.type !== 'evaluated') { console.error(JSON.stringify(m)); process.exit(1); }
  // Then idle for a while: what V8 still compiles in the background (WebAssembly tier-up) counts too.
  setTimeout(() => {
    const settled = process.cpuUsage(cpu0);
    console.log(JSON.stringify({ readyMs, readyCpuMs, replyMs, cpuMs: (cpu.user + cpu.system) / 1000, settledCpuMs: (settled.user + settled.system) / 1000 }));
    process.exit(0);
  }, 600);
});
worker.on('error', (e) => { console.error(e); process.exit(1); });
`;

interface Sample {
  readyMs: number;
  readyCpuMs: number;
  replyMs: number;
  cpuMs: number;
  settledCpuMs: number;
}

function once(workerFile: string, requestFile: string, flags: string[]): Sample {
  const r = spawnSync(process.execPath, [...flags, '-e', CHILD, workerFile, requestFile], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed (${workerFile}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Sample;
}

runBench(async () => {
  const argv = process.argv.slice(2);
  const take = (name: string): string | null => {
    const at = argv.indexOf(name);
    return at >= 0 ? (argv.splice(at, 2)[1] ?? '') : null;
  };
  const base = take('--base');
  const flagSets = (take('--flags') ?? '').split(',').map((f) => f.split(' ').filter(Boolean));
  const { runs, entries } = parseIntArgs(argv, { runs: 15, entries: 200 }, 'usage: npm run bench:script-worker-start -- [--runs N] [--entries N] [--base OTHER/dist/cli] [--flags "..."]');
  const dirs: Array<[string, string]> = [['dist/cli', path.join(ROOT, 'dist', 'cli', 'script-worker.js')]];
  if (base !== null) dirs.push([`base ${base}`, path.join(path.resolve(base), 'script-worker.js')]);
  for (const [, file] of dirs) if (!existsSync(file)) throw new Error(`${file} does not exist (npm run build:cli)`);
  const builds = dirs.flatMap(([label, file]) => flagSets.map((flags) => ({ label: flags.length ? `${label} ${flags.join(' ')}` : label, file, flags })));

  const list: EntryInput[] = Array.from({ length: entries }, (_, i) => ({
    dn: `uid=user${i},ou=people,dc=example,dc=com`,
    attributes: { uid: [`user${i}`], employeeType: [TYPES[i % TYPES.length]], departmentNumber: [`D${100 + (i % 40)}`] },
  }));
  const plan = scriptPlan(SYNC_SCRIPTS);
  const batches = [];
  for (let start = 0; start < list.length; start += BATCH_SIZE) batches.push(packBatch(list, start, Math.min(list.length, start + BATCH_SIZE), plan));
  // As ScriptWorkerHandle sends it (with the plan; a build that does not read it ignores it).
  const request = withPlan({ type: 'evaluate', id: 1, scripts: SYNC_SCRIPTS, count: list.length, batches, captureLogs: false, hints: { forced: [], careful: [], loadFailed: [] } });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-worker-start-'));
  try {
    const requestFile = path.join(dir, 'request.json');
    writeFileSync(requestFile, JSON.stringify({ request, limits: DEFAULT_SCRIPT_LIMITS }));
    console.log(machineLine());
    console.log(`${entries} entries, ${runs} rounds after 1 warm-up\n`);
    const samples = new Map<string, Sample[]>(builds.map((b) => [b.label, []]));
    for (let round = 0; round <= runs; round++) {
      for (const b of builds) {
        const s = once(b.file, requestFile, b.flags);
        if (round > 0) samples.get(b.label)!.push(s);
      }
    }
    const rows = builds.map(({ label }) => {
      const xs = samples.get(label)!;
      const cpu = xs.map((s) => s.cpuMs).sort((a, b) => a - b);
      const quartiles = `${cpu[Math.floor(cpu.length / 4)].toFixed(0)}-${cpu[Math.floor((cpu.length * 3) / 4)].toFixed(0)}`;
      return [label, median(xs.map((s) => s.readyCpuMs)).toFixed(1), median(cpu).toFixed(1), quartiles, median(xs.map((s) => s.settledCpuMs)).toFixed(1), median(xs.map((s) => s.readyMs)).toFixed(1), median(xs.map((s) => s.replyMs)).toFixed(1)];
    });
    console.log(table(['build', 'cpu ms to ready', 'cpu ms to reply', 'cpu q1-q3', 'cpu ms +600 ms idle', 'wall ms to ready', 'wall ms to reply'], rows));
    console.log(`\nmedians of ${runs}; cpu = user + system of the child process over all threads, from just before the worker starts`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
