/**
 * Benchmark: how long the main thread's event loop is blocked (the window, cancel and progress
 * wait that long) during the work the app does besides a sync, at N entries in a private slapd:
 *   - a snapshot capture (all the used attributes of every entry into the store);
 *   - a comparison of that snapshot with the live directory;
 *   - a simulation over the snapshot (the offline source);
 *   - the preview: its first page (bind, exact count, attribute sample, page fetch), script edits
 *     served from the page cache, and an edit reading a new attribute (a new search of page 1).
 * The sync's own phases (simulate, sync, re-sync) are measured the same way by bench:sync.
 *
 *   npm run bench:event-loop -- [--users 100000] [--edits 10]
 *
 * Prints per step: wall time, the event loop's max and p99 delay (perf_hooks.monitorEventLoopDelay),
 * the most CPU the main thread itself used within one block (on a busy machine a long gap can be
 * the thread waiting for a core), and every block over 50 ms with the phase it fell in. Target
 * (issue 10): no block over ~50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseIntArgs } from './args';
import { BLOCK_MS, describeBlocks, watchEventLoop, type LoopReport } from './event-loop-watch';
import { machineLine, noKeychain, runBench, table } from './runtime';
import { createAppContext } from '../src-main/app-context';
import type { ServerDraft } from '../src-shared/domain/server';
import { emptyServerDraft } from '../src-shared/domain/server-defaults';
import { startSlapd, type Slapd } from '../test/rig/slapd';

const USAGE = 'usage: npm run bench:event-loop -- [--users N (default 100000)] [--edits E (default 10)]';

const SCRIPTS = {
  active: "function(entry) { return entry.employeeType !== 'terminated'; }",
  orgName: "function(entry) { return 'Dept ' + entry.departmentNumber; }",
  roleName: "function(entry) { return entry.employeeType === 'admin' ? ['Desktop User', 'Org Admin'] : ['Desktop User']; }",
};

function benchDraft(slapd: Slapd): ServerDraft {
  return { ...emptyServerDraft(), name: 'Bench', url: `${slapd.url}/${slapd.baseDn}`, bindDn: slapd.syncDn, timeoutSeconds: 60, scripts: SCRIPTS, createUsers: true };
}

interface Step {
  label: string;
  ms: number;
  loop: LoopReport;
  note: string;
}

/** Runs `fn` under an event-loop watch; `phase` names what is going on for the block report. */
async function measured(label: string, fn: (phase: (name: string) => void) => Promise<string>): Promise<Step> {
  const watch = watchEventLoop();
  const started = performance.now();
  watch.phase(label);
  const note = await fn((name) => watch.phase(name));
  const ms = performance.now() - started;
  return { label, ms, loop: watch.stop(), note };
}

async function main(): Promise<number> {
  const { users, edits } = parseIntArgs(process.argv.slice(2), { users: 100_000, edits: 10 }, USAGE);
  console.log(machineLine());
  console.log(`command: npm run bench:event-loop -- --users ${users} --edits ${edits}`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'lss-bench-loop-'));
  let slapd: Slapd | undefined;
  const steps: Step[] = [];
  try {
    slapd = await startSlapd({ users, logOps: false });
    const app = createAppContext({ dbPath: path.join(work, 'store.sqlite'), keychain: noKeychain, env: { BENCH_PW: slapd.syncPw } });
    try {
      const draft = benchDraft(slapd);
      const server = await app.servers.create(draft, { kind: 'env', name: 'BENCH_PW' });
      for (let d = 100; d < 110; d++) app.directory.createOrg({ name: `Dept D${d}`, parentId: null, authServerId: server.id });
      await app.scriptEngine();

      let snapshotId = '';
      steps.push(
        await measured('capture', async (phase) => {
          const snap = await app.snapshots.capture({ serverId: server.id, name: 'Bench capture', attributes: 'used', onProgress: () => phase('capturing') });
          snapshotId = snap.id;
          return `${snap.entries} entries`;
        }),
      );
      steps.push(
        await measured('compare', async (phase) => {
          const c = await app.snapshots.compare({ snapshot: snapshotId, onProgress: () => phase('comparing') });
          return `${c.unchanged} unchanged, ${c.changed} changed`;
        }),
      );
      steps.push(
        await measured('simulate from the snapshot', async (phase) => {
          const r = await app.sync.run({ serverId: server.id, mode: 'simulate', trigger: 'cli', source: { kind: 'snapshot', snapshotId }, onProgress: (p) => phase(p.phase) });
          return `${r.status}, ${r.entries} entries`;
        }),
      );

      const input = (scripts: ServerDraft['scripts'], page = 1) => ({ sessionId: 'bench', serverId: server.id, draft: { ...draft, scripts }, password: { kind: 'keep' as const }, page, pageSize: 50, search: null });
      steps.push(
        await measured('preview: first page', async () => {
          const r = await app.preview.run(input(SCRIPTS));
          return `${r.rows.length} rows of ${r.total ?? '?'} entries`;
        }),
      );
      steps.push(
        await measured(`preview: ${edits} script edits (cached page)`, async () => {
          for (let i = 0; i < edits; i++) await app.preview.run(input({ ...SCRIPTS, active: `function(entry) { return entry.uid !== 'user${i}'; }` }));
          return `${edits} refreshes`;
        }),
      );
      steps.push(
        await measured('preview: edit reading a new attribute', async () => {
          const r = await app.preview.run(input({ ...SCRIPTS, active: "function(entry) { return entry.cn !== 'nobody'; }" }));
          return `${r.rows.length} rows`;
        }),
      );
      steps.push(
        await measured('preview: page 2', async () => {
          const r = await app.preview.run(input({ ...SCRIPTS, active: "function(entry) { return entry.cn !== 'nobody'; }" }, 2));
          return `${r.rows.length} rows`;
        }),
      );
    } finally {
      app.close();
    }
  } finally {
    await slapd?.stop();
    rmSync(work, { recursive: true, force: true });
  }

  console.log('');
  console.log(`${users.toLocaleString('en-US')} entries; event loop of the main thread (target: no block over ~${BLOCK_MS} ms):`);
  console.log(
    table(
      ['step', 'ms', 'loop max', 'loop p99', 'longest block cpu', 'result'],
      steps.map((s) => [s.label, s.ms.toFixed(0), `${s.loop.maxMs.toFixed(0)} ms`, `${s.loop.p99Ms.toFixed(0)} ms`, s.loop.maxCpuMs === null ? 'n/a' : `${s.loop.maxCpuMs.toFixed(0)} ms`, s.note]),
    ),
  );
  console.log('');
  for (const s of steps) console.log(`${s.label}: blocks ${describeBlocks(s.loop.blocks)}`);
  return 0;
}

runBench(main);
