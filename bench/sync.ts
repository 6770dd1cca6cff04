/**
 * Benchmark: a whole sync of N directory entries through the real SyncService (strict paged read,
 * QuickJS scripts, planner, one SQLite transaction with the plan rows) against `ldapsearch`
 * fetching the same entries with the same attributes, in the same run, against the same private
 * slapd.
 *
 *   npm run bench:sync -- [--users 100000 | --entries 1000000] [--runs 1] [--cli-only] [--timeline] [--cpu-prof]
 *
 * Each round uses a fresh store (server "Bench": Active + Org + Role scripts, createUsers, one
 * organization per department) and times, each of our phases in a FRESH child process (so peak
 * RSS is per phase; the child reports the wall time of the run itself, after its store is open
 * and the script engine loaded, and process.resourceUsage().maxRSS):
 *   - floor:    ldapsearch -x -LLL -E pr=1000/noprompt with the attributes the sync asks for
 *               (username + mapping + script attributes + directory IDs), stdout drained by this
 *               process (and its entries counted);
 *   - floor /dev/null: the same ldapsearch writing to /dev/null (nothing reads its output): a
 *               stricter floor, ~45% faster on a 2-core machine (the drained floor shares the
 *               cores with the process reading the LDIF); ratios and the target are printed
 *               against both;
 *   - read:     the sync's reader alone (the read worker: paged search decoded into pages of
 *               entries, no scripts), for attribution; `read/thr` the same on the calling thread
 *               (no worker start-up, no hand-over between threads);
 *   - simulate: SyncService.run mode simulate (plan and change rows stored, nothing applied);
 *   - sync:     the first SyncService.run mode sync: creates N users;
 *   - resync:   after 1% of the entries changed (one ldapmodify as the rootdn: half of them a new
 *               departmentNumber -> moves, half employeeType admin <-> original -> role changes).
 * Every result is checked (entries, created, moved, rolesChanged, no errors, users in the store);
 * exit 1 on any mismatch. Target (the sync issue): at most 2x the floor and peak RSS under 300 MB;
 * printed as PASS / MISS, not failed on.
 *
 * --cli-only runs only the issue's measure: the built CLI (`ldap-sync simulate|sync Bench`), spawned,
 * wall time from spawn to exit. That measure also gives the CPU each command used (all its threads,
 * GNU time) and slapd's meanwhile (/proc), the floor's likewise, and how many cores they kept busy
 * on average: on this project's 2-core machines the directory shares the cores, so a run that keeps
 * both busy is bound by CPU, and only less CPU shortens it; and the median of each round's ratio to
 * the floor measured just before it. --timeline adds --progress to those CLI runs and prints when
 * each phase began (its first progress line: connected, read done, applying...), when the report
 * came and when the process ended: where a command's time goes, without a profiler.
 *
 * --cpu-prof writes a V8 CPU profile per child phase (node --cpu-prof) and prints where the time
 * went: ldapts decode, toEntryInput, QuickJS, planner, SQLite apply, change rows, GC, ...
 *
 * BENCH_SYNC_NODE_FLAGS adds node flags to every phase process (e.g. --max-old-space-size=256 to
 * see whether a phase fits a heap that size).
 *
 * Internal: `--phase read|simulate|sync` runs one phase (the child side); its input comes in
 * BENCH_SYNC_INPUT (JSON) and its result goes to stdout as one `BENCH_SYNC_RESULT {json}` line.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseIntArgs } from './args';
import { describeBlocks, watchEventLoop, type LoopBlock } from './event-loop-watch';
import { drainLdapsearch, machineLine, MB, median, noKeychain, runBench, runTsxChild, table } from './runtime';
import { createAppContext, type AppContext } from '../src-main/app-context';
import { targetFromDraft } from '../src-main/ldap/target';
import { attributesToFetch } from '../src-main/preview/preview-attributes';
import { normalizeScripts } from '../src-main/services/script-checks';
import { DIRECTORY_ID_ATTRIBUTES } from '../src-main/sync/directory-id';
import { readDirectory, SYNC_PAGE_SIZE } from '../src-main/ldap/reader';
import { matchAllFilter } from '../src-shared/ldap/filter';
import type { ServerDraft } from '../src-shared/domain/server';
import { emptyServerDraft } from '../src-shared/domain/server-defaults';
import type { RunSummary } from '../src-shared/domain/sync';
import { startSlapd, userAttributes, type Slapd } from '../test/rig/slapd';
import { run } from '../test/rig/exec';

const USAGE = 'usage: npm run bench:sync -- [--users N | --entries N (default 100000)] [--runs R (default 1)] [--cli-only] [--timeline] [--cpu-prof]';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const TARGET_RATIO = 2;
const TARGET_RSS_MB = 300;

const SCRIPTS = {
  active: "function(entry) { return entry.employeeType !== 'terminated'; }",
  orgName: "function(entry) { return 'Dept ' + entry.departmentNumber; }",
  roleName: "function(entry) { return entry.employeeType === 'admin' ? ['Desktop User', 'Org Admin'] : ['Desktop User']; }",
};

type Phase = 'read' | 'read-thread' | 'simulate' | 'sync';

/** What a child phase needs. */
interface PhaseInput {
  phase: Phase;
  dbPath: string;
  serverId: string;
  draft: ServerDraft;
  password: string;
}

/** What a child phase reports. */
interface PhaseResult {
  phase: Phase;
  ms: number;
  /** process.resourceUsage().maxRSS of the child, bytes. */
  maxRss: number;
  /** RSS just before the timed run (store open, engine loaded), bytes. */
  rssBefore: number;
  /** Script engine creation, ms (not in `ms`). */
  engineMs: number;
  entries: number;
  run: RunSummary | null;
  usersInStore: number | null;
  /** The timed run on the monotonic clock, microseconds (as CPU profile timestamps). */
  windowUs: [number, number];
  /** The main thread's event loop delay during the timed run (perf_hooks.monitorEventLoopDelay), ms: the longest block and the 99th percentile. */
  loopMaxMs: number;
  loopP99Ms: number;
  /** Blocks of the event loop over 50 ms, with the run's phase (connecting, reading, planning, applying) during each. */
  loopBlocks: LoopBlock[];
  /** The most CPU the main thread used within one block, ms (null off Linux). */
  loopMaxCpuMs: number | null;
}

function benchDraft(slapd: Slapd): ServerDraft {
  return {
    ...emptyServerDraft(),
    name: 'Bench',
    url: `${slapd.url}/${slapd.baseDn}`,
    bindDn: slapd.syncDn,
    timeoutSeconds: 60,
    scripts: SCRIPTS,
    createUsers: true,
  };
}

/** The attributes SyncService asks for (same computation). */
function syncAttributes(draft: ServerDraft): string[] {
  const target = targetFromDraft(draft);
  const fetch = attributesToFetch(target.usernameAttribute, draft.mapping, normalizeScripts(draft.scripts));
  return fetch === '*' ? ['*', ...DIRECTORY_ID_ATTRIBUTES] : [...fetch, ...DIRECTORY_ID_ATTRIBUTES];
}

// ---------------------------------------------------------------------------------------------
// Child side: one phase.

async function childPhase(): Promise<number> {
  const input = JSON.parse(process.env.BENCH_SYNC_INPUT ?? 'null') as PhaseInput | null;
  if (!input) throw new Error('--phase is internal: BENCH_SYNC_INPUT is missing');
  const result: PhaseResult = { phase: input.phase, ms: 0, maxRss: 0, rssBefore: 0, engineMs: 0, entries: 0, run: null, usersInStore: null, windowUs: [0, 0], loopMaxMs: 0, loopP99Ms: 0, loopBlocks: [], loopMaxCpuMs: null };
  // How long the main thread's event loop is blocked during the run (the app's window, cancel and progress wait that long).
  let loop: ReturnType<typeof watchEventLoop> | null = null;
  const watch = {
    start: () => (loop = watchEventLoop()),
    phase: (name: string) => loop?.phase(name),
    stop: () => {
      const r = loop!.stop();
      result.loopMaxMs = r.maxMs;
      result.loopP99Ms = r.p99Ms;
      result.loopBlocks = r.blocks;
      result.loopMaxCpuMs = r.maxCpuMs;
    },
  };
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  if (input.phase === 'read' || input.phase === 'read-thread') {
    const target = targetFromDraft(input.draft);
    const attributes = syncAttributes(input.draft);
    result.rssBefore = process.memoryUsage().rss;
    result.windowUs[0] = nowUs();
    const started = performance.now();
    watch.start();
    const r = await readDirectory({ target, password: input.password, attributes, inThread: input.phase === 'read-thread', onPage: () => {} });
    watch.stop();
    result.ms = performance.now() - started;
    result.windowUs[1] = nowUs();
    result.entries = r.entries;
  } else {
    const app: AppContext = createAppContext({ dbPath: input.dbPath, keychain: noKeychain, env: { BENCH_PW: input.password } });
    try {
      const engineStarted = performance.now();
      await app.scriptEngine();
      result.engineMs = performance.now() - engineStarted;
      result.rssBefore = process.memoryUsage().rss;
      result.windowUs[0] = nowUs();
      const started = performance.now();
      watch.start();
      const summary = await app.sync.run({ serverId: input.serverId, mode: input.phase, trigger: 'cli', onProgress: (p) => watch.phase(p.phase) });
      watch.stop();
      result.ms = performance.now() - started;
      result.windowUs[1] = nowUs();
      result.run = summary;
      result.entries = summary.entries ?? 0;
      result.usersInStore = (app.store.db.prepare(`SELECT COUNT(*) AS n FROM users`).get() as { n: number }).n;
    } finally {
      app.close();
    }
  }
  result.maxRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`BENCH_SYNC_RESULT ${JSON.stringify(result)}\n`);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Parent side.

/**
 * Runs one phase in a fresh node (tsx as an --import hook). With `profDir`, node writes one CPU
 * profile per thread into `profDir/<label>` (tsx's loader hooks run on a thread of their own, so
 * a fixed --cpu-prof-name would let that thread's profile overwrite the main one).
 */
const windows = new Map<string, [number, number]>();

async function runChild(input: PhaseInput, profDir: string | null, label: string): Promise<PhaseResult> {
  const flags = profDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(profDir, label)] : [];
  // Extra node flags for the phase processes, for experiments (e.g. --max-old-space-size=256).
  flags.push(...(process.env.BENCH_SYNC_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean));
  const result = await runTsxChild<PhaseResult>({ script: SELF, args: ['--phase', input.phase], nodeFlags: flags, cwd: ROOT, inputVar: 'BENCH_SYNC_INPUT', input, marker: 'BENCH_SYNC_RESULT' });
  windows.set(label, result.windowUs);
  return result;
}

function floorArgs(slapd: Slapd, draft: ServerDraft): string[] {
  const target = targetFromDraft(draft);
  return ['-x', '-LLL', '-H', slapd.url, '-D', slapd.syncDn, '-w', slapd.syncPw, '-b', target.baseDn, '-s', 'sub',
    '-E', `pr=${SYNC_PAGE_SIZE}/noprompt`, matchAllFilter(target.searchFilter), ...syncAttributes(draft)];
}

/** The floor: ldapsearch with simple paging and the sync's attributes, stdout drained and counted. */
function runFloor(slapd: Slapd, draft: ServerDraft): Promise<{ ms: number; count: number; bytes: number }> {
  return drainLdapsearch(floorArgs(slapd, draft));
}

/**
 * CPU time a process has used so far, ms (user + system, from /proc/PID/stat; null off Linux or
 * once it is gone): what slapd spends serving one command, read before and after it.
 */
function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), in clock ticks; the fields after ")" start at field 3.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const CLOCK_TICKS = 100;

/** CPU a command used: its own (user + system, every thread; GNU time) and the directory's meanwhile, ms. */
interface CpuUse {
  own: number;
  slapd: number | null;
}

/** The command's CPU from GNU time's `BENCH_CPU %U %S` line (seconds), ms. */
function ownCpuMs(stderr: string): number {
  const m = /BENCH_CPU ([\d.]+) ([\d.]+)/.exec(stderr);
  return m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN;
}

/** GNU time's output format for a measured command: peak RSS and CPU, one line each. */
const TIME_FORMAT = 'BENCH_MAXRSS_KB %M\nBENCH_CPU %U %S';

/** The stricter floor: the same ldapsearch writing straight to /dev/null (no reader of its output); with the CPU it and slapd used. */
function runNullFloor(slapd: Slapd, draft: ServerDraft): Promise<{ ms: number; cpu: CpuUse }> {
  return new Promise((resolve, reject) => {
    const slapdBefore = processCpuMs(slapd.pid);
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', TIME_FORMAT, 'ldapsearch', ...floorArgs(slapd, draft)], { stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, sig) => {
      const ms = performance.now() - started;
      const slapdAfter = processCpuMs(slapd.pid);
      if (code !== 0) return reject(new Error(`ldapsearch exited with ${code ?? sig}: ${err.trim()}`));
      resolve({ ms, cpu: { own: ownCpuMs(err), slapd: slapdBefore === null || slapdAfter === null ? null : slapdAfter - slapdBefore } });
    });
  });
}

/** What one spawned CLI command measured: wall time from spawn to exit (process start included) and peak RSS. */
interface CliResult {
  ms: number;
  maxRss: number;
  code: number;
  run: RunSummary | null;
  usersInStore: number;
  /** With --timeline: ms from spawn to the first progress line of each phase, and to the first output on stdout. */
  timeline: Partial<Record<TimelinePoint, number>>;
  cpu: CpuUse;
  /** The /dev/null floor measured in the same round, just before (its ratio is steadier than one of medians when the machine's pace drifts). */
  roundFloorMs?: number;
}

/** The moments --timeline records: the progress phases (`--progress` lines on stderr), the report on stdout. */
const TIMELINE_POINTS = ['connecting', 'reading', 'planning', 'applying', 'done', 'output'] as const;
type TimelinePoint = (typeof TIMELINE_POINTS)[number];
const PHASE_OF_LINE: [RegExp, TimelinePoint][] = [[/^Connecting/, 'connecting'], [/^Reading/, 'reading'], [/^Planning/, 'planning'], [/^Applying/, 'applying'], [/^Done/, 'done']];

/**
 * The issue's measure: `node bin/ldap-sync.mjs simulate|sync Bench --db STORE`, the built CLI as an
 * admin or cron runs it, timed from spawn to exit (node start, bundle load, store open, worker
 * start, QuickJS load, the run, the printed summary, exit). Peak RSS of the whole process (all
 * threads) comes from GNU time. The run it recorded is then read back from the store and checked.
 */
async function runCliPhase(command: 'simulate' | 'sync', store: { dbPath: string; serverId: string }, slapd: Slapd, timeline = false): Promise<CliResult> {
  const password = slapd.syncPw;
  const slapdBefore = processCpuMs(slapd.pid);
  const bin = path.join(ROOT, 'bin', 'ldap-sync.mjs');
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'ldap-sync.js'))) throw new Error('the CLI is not built: run npm run build:cli first');
  const points: CliResult['timeline'] = {};
  const { code, ms, stderr } = await new Promise<{ code: number; ms: number; stderr: string }>((resolve, reject) => {
    const started = performance.now();
    const args = [process.execPath, bin, command, 'Bench', '--db', store.dbPath, ...(timeline ? ['--progress'] : [])];
    const child = spawn('/usr/bin/time', ['-f', TIME_FORMAT, ...args], {
      cwd: ROOT,
      env: { ...process.env, BENCH_PW: password },
      stdio: ['ignore', timeline ? 'pipe' : 'ignore', 'pipe'],
    });
    let err = '';
    let seen = 0;
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (!timeline) return;
      // Each complete line not seen yet: the first line of a phase marks when that phase began.
      const end = err.lastIndexOf('\n');
      for (const line of err.slice(seen, end + 1).split('\n')) {
        const hit = PHASE_OF_LINE.find(([re]) => re.test(line));
        if (hit && points[hit[1]] === undefined) points[hit[1]] = performance.now() - started;
      }
      seen = end + 1;
    });
    child.stdout?.on('data', () => (points.output ??= performance.now() - started));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c ?? -1, ms: performance.now() - started, stderr: err }));
  });
  const slapdAfter = processCpuMs(slapd.pid);
  const cpu: CpuUse = { own: ownCpuMs(stderr), slapd: slapdBefore === null || slapdAfter === null ? null : slapdAfter - slapdBefore };
  const kb = Number(/BENCH_MAXRSS_KB (\d+)/.exec(stderr)?.[1] ?? NaN);
  const app = createAppContext({ dbPath: store.dbPath, keychain: noKeychain });
  try {
    const run = app.sync.history({ serverId: store.serverId, status: null, offset: 0, limit: 1 }).runs[0] ?? null;
    const usersInStore = (app.store.db.prepare(`SELECT COUNT(*) AS n FROM users`).get() as { n: number }).n;
    if (code !== 0) console.log(`           ldap-sync ${command} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return { ms, maxRss: kb * 1024, code, run, usersInStore, timeline: points, cpu };
  } finally {
    app.close();
  }
}

/** A fresh store with the bench server and its ten department organizations. */
async function prepareStore(slapd: Slapd, dir: string): Promise<{ dbPath: string; serverId: string; draft: ServerDraft }> {
  const dbPath = path.join(dir, 'store.sqlite');
  const app = createAppContext({ dbPath, keychain: noKeychain, env: { BENCH_PW: slapd.syncPw } });
  try {
    const draft = benchDraft(slapd);
    const server = await app.servers.create(draft, { kind: 'env', name: 'BENCH_PW' });
    for (let d = 100; d < 110; d++) app.directory.createOrg({ name: `Dept D${d}`, parentId: null, authServerId: server.id });
    return { dbPath, serverId: server.id, draft };
  } finally {
    app.close();
  }
}

/**
 * Changes 1% of the entries (every 100th user) with one ldapmodify: even ones get the next
 * department (a move), odd ones toggle employeeType between admin and the original (a role
 * change). `state` tracks the directory's current values across rounds.
 */
async function changeOnePercent(slapd: Slapd, users: number, state: Map<number, { dept: number; type: string }>): Promise<{ moves: number; roles: number; ms: number }> {
  let ldif = '';
  let moves = 0;
  let roles = 0;
  for (let k = 0; 1 + k * 100 <= users && k < Math.floor(users / 100); k++) {
    const i = 1 + k * 100;
    const orig = userAttributes(i);
    const cur = state.get(i) ?? { dept: Number(orig.departmentNumber.slice(1)) - 100, type: orig.employeeType };
    if (k % 2 === 0) {
      cur.dept = (cur.dept + 1) % 10;
      ldif += `dn: ${slapd.userDn(i)}\nchangetype: modify\nreplace: departmentNumber\ndepartmentNumber: D${100 + cur.dept}\n\n`;
      moves++;
    } else {
      cur.type = cur.type === 'admin' ? orig.employeeType : 'admin';
      ldif += `dn: ${slapd.userDn(i)}\nchangetype: modify\nreplace: employeeType\nemployeeType: ${cur.type}\n\n`;
      roles++;
    }
    state.set(i, cur);
  }
  const started = performance.now();
  await run('ldapmodify', ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw], { input: ldif, timeoutMs: 600_000 });
  return { moves, roles, ms: performance.now() - started };
}

// ---------------------------------------------------------------------------------------------
// CPU profile summary

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The bucket a frame belongs to, or null to inherit its caller's. */
function bucketOf(f: ProfileNode['callFrame']): string | null {
  const u = f.url;
  const n = f.functionName;
  if (n === '(garbage collector)') return 'GC';
  if (n === '(idle)') return 'idle (waiting for slapd)';
  if (n === '(program)') return 'V8 / native (program)';
  if (u.includes('/ldap/search-stream')) return 'LDAP decode (search-stream)';
  if (u.includes('/ldapts/') || u.includes('/asn1')) return 'ldapts (connect, bind, request)';
  if (u.includes('/preview/entry-values')) return 'toEntryInput';
  if (u.includes('quickjs') || u.includes('/src-main/scripts/')) return 'QuickJS scripts';
  if (u.includes('/sync/planner') || u.includes('/sync/entry-columns') || u.includes('/sync/directory-id') || u.includes('/store/name-key') || u.includes('/store/managed-users')) return 'planner';
  if (u.includes('/sync/apply')) return 'SQLite apply';
  if (u.includes('/store/users-repo')) return 'SQLite load managed users';
  if (n === 'writeChanges' || (u.includes('/store/runs-repo') && n !== 'getRun' && n !== 'latestRun')) return 'change rows';
  if (u.includes('/ldap/reader')) return 'reader';
  if (u.includes('/services/sync-service')) return 'sync-service (other)';
  if (u.includes('better-sqlite3')) return 'SQLite (other)';
  if (u.startsWith('node:')) return null;
  return null;
}

function summarizeProfile(file: string, windowUs: [number, number]): { buckets: [string, number][]; top: [string, number][]; totalMs: number } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const bucketCache = new Map<number, string>();
  const bucketFor = (id: number): string => {
    const hit = bucketCache.get(id);
    if (hit) return hit;
    const n = byId.get(id)!;
    const own = bucketOf(n.callFrame);
    const pid = parent.get(id);
    const b = own ?? (pid === undefined ? 'other' : bucketFor(pid));
    bucketCache.set(id, b);
    return b;
  };
  const selfMs = new Map<number, number>();
  // Only the samples of the timed run (process start, module loading and store open left out).
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const d = p.timeDeltas[i] ?? 0;
    t += d;
    if (t < windowUs[0] || t > windowUs[1]) continue;
    selfMs.set(p.samples[i], (selfMs.get(p.samples[i]) ?? 0) + d / 1000);
  }
  const buckets = new Map<string, number>();
  const fns = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of selfMs) {
    totalMs += ms;
    const b = bucketFor(id);
    buckets.set(b, (buckets.get(b) ?? 0) + ms);
    const f = byId.get(id)!.callFrame;
    const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '').replace(/^.*node_modules\//, '')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + ms);
  }
  const sort = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { buckets: sort(buckets), top: sort(fns).slice(0, 15), totalMs };
}

// ---------------------------------------------------------------------------------------------
// Output helpers

const fmtMs = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const fmtMb = (x: number) => `${(x / MB).toFixed(0)} MB`;
const perSec = (n: number, ms: number) => (ms > 0 ? Math.round((n / ms) * 1000).toLocaleString('en-US') : 'n/a');
/** CPU of a command and of slapd meanwhile, and how many of the machine's cores they kept busy on average over `ms` of wall time. */
const fmtCpu = (cpu: CpuUse) => `${fmtMs(cpu.own)} + ${cpu.slapd === null ? 'n/a' : fmtMs(cpu.slapd)}`;
const fmtCores = (cpu: CpuUse, ms: number) => (cpu.slapd === null ? 'n/a' : `${((cpu.own + cpu.slapd) / ms).toFixed(2)} of ${os.availableParallelism()}`);
const describeCpu = (cpu: CpuUse, ms: number) => `CPU ${fmtCpu(cpu)} ms (own + slapd), ${fmtCores(cpu, ms)} cores`;
/** The median CPU of several runs, field by field. */
const medianCpu = (cpus: CpuUse[]): CpuUse => ({ own: median(cpus.map((c) => c.own)), slapd: cpus.some((c) => c.slapd === null) ? null : median(cpus.map((c) => c.slapd!)) });

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const phaseAt = argv.indexOf('--phase');
  if (phaseAt >= 0) return childPhase();
  const cpuProf = argv.includes('--cpu-prof');
  // --cli-only: only the issue's measure (the built CLI's wall time), no in-process phases.
  const cliOnly = argv.includes('--cli-only');
  // --timeline: the CLI runs with --progress, and a table gives when each phase began (for where the time goes; the progress lines cost next to nothing).
  const timeline = argv.includes('--timeline');
  // --entries is the issue's spelling (--entries 1000000 shows the cost staying linear); same as --users.
  const parsed = parseIntArgs(argv.filter((a) => a !== '--cpu-prof' && a !== '--cli-only' && a !== '--timeline'), { users: 100_000, entries: 0, runs: 1 }, USAGE);
  const users = parsed.entries || parsed.users;
  const runs = parsed.runs;

  console.log(machineLine());
  console.log(`command: npm run bench:sync -- --users ${users} --runs ${runs}${cliOnly ? ' --cli-only' : ''}${timeline ? ' --timeline' : ''}${cpuProf ? ' --cpu-prof' : ''}`);

  const setupStarted = performance.now();
  let slapd: Slapd | undefined;
  const work = mkdtempSync(path.join(os.tmpdir(), 'lss-bench-sync-'));
  const profDir = cpuProf ? path.join(work, 'profiles') : null;
  const stopOnSignal = (sig: NodeJS.Signals) => {
    console.error(`\n${sig}: stopping slapd`);
    void (slapd?.stop() ?? Promise.resolve()).finally(() => {
      rmSync(work, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
    return ok;
  };
  const rows = { floor: [] as number[], nullFloor: [] as number[], nullFloorCpu: [] as CpuUse[], read: [] as PhaseResult[], readThread: [] as PhaseResult[], simulate: [] as PhaseResult[], sync: [] as PhaseResult[], resync: [] as PhaseResult[] };
  const cli = { simulate: [] as CliResult[], sync: [] as CliResult[], resync: [] as CliResult[] };
  let floorBytes = 0;
  try {
    slapd = await startSlapd({ users, logOps: false });
    console.log(`slapd:   ${users.toLocaleString('en-US')} users loaded and serving in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);
    const draft = benchDraft(slapd);
    console.log(`search:  ${matchAllFilter(draft.searchFilter)}, paged ${SYNC_PAGE_SIZE}/page, attributes ${syncAttributes(draft).join(' ')}`);
    console.log(`scripts: Active + Org name (10 departments) + Role name; createUsers into the department's organization`);
    // Warm slapd's caches once (not measured).
    const warm = await runFloor(slapd, draft);
    check(warm.count === users, `warm-up ldapsearch returned ${warm.count} entries`);
    const state = new Map<number, { dept: number; type: string }>();

    for (let round = 1; round <= runs; round++) {
      const dir = mkdtempSync(path.join(work, `round${round}-`));
      const store = await prepareStore(slapd, dir);
      const cliStore = await prepareStore(slapd, mkdtempSync(path.join(work, `round${round}-cli-`)));
      const sayCli = (label: string, r: CliResult) =>
        say(label, r.ms, `exit ${r.code}, peak RSS ${fmtMb(r.maxRss)}, ${describeCpu(r.cpu, r.ms)}, ${r.run ? `${r.run.status}, entries ${r.run.entries}, ${JSON.stringify(r.run.counts)}` : 'no run recorded'}, users in store ${r.usersInStore}`);
      const input = (phase: Phase): PhaseInput => ({ phase, dbPath: store.dbPath, serverId: store.serverId, draft: store.draft, password: slapd!.syncPw });
      const say = (label: string, ms: number, extra: string) => console.log(`  run ${round}  ${label.padEnd(9)} ${fmtMs(ms).padStart(7)} ms  ${extra}`);

      const floor = await runFloor(slapd, draft);
      floorBytes = floor.bytes;
      check(floor.count === users, `round ${round}: ldapsearch returned ${floor.count} entries`);
      say('floor', floor.ms, `${floor.count} entries, ${(floor.bytes / MB).toFixed(1)} MB of LDIF`);
      rows.floor.push(floor.ms);
      const nullFloor = await runNullFloor(slapd, draft);
      say('floor', nullFloor.ms, `ldapsearch output to /dev/null, ${describeCpu(nullFloor.cpu, nullFloor.ms)}`);
      rows.nullFloor.push(nullFloor.ms);
      rows.nullFloorCpu.push(nullFloor.cpu);

      const blocks = (r: PhaseResult) => console.log(`           event loop blocks: ${describeBlocks(r.loopBlocks)}`);
      const describe = (r: PhaseResult) =>
        `peak RSS ${fmtMb(r.maxRss)} (before run ${fmtMb(r.rssBefore)})  event loop max ${r.loopMaxMs.toFixed(0)} ms, p99 ${r.loopP99Ms.toFixed(0)} ms  ${r.run ? `${r.run.status}, entries ${r.run.entries}, ${JSON.stringify(r.run.counts)}, users in store ${r.usersInStore}` : `entries ${r.entries}`}`;

      if (!cliOnly) {
        const read = await runChild(input('read'), profDir, `round${round}-1-read`);
        check(read.entries === users, `round ${round}: read returned ${read.entries} entries`);
        say('read', read.ms, describe(read));
        blocks(read);
        rows.read.push(read);

        const readThread = await runChild(input('read-thread'), profDir, `round${round}-1-read-thread`);
        check(readThread.entries === users, `round ${round}: read on the calling thread returned ${readThread.entries} entries`);
        say('read/thr', readThread.ms, describe(readThread));
        rows.readThread.push(readThread);
      }
      const cliSim = await runCliPhase('simulate', cliStore, slapd, timeline);
      check(cliSim.code === 0 && cliSim.run?.status === 'simulated' && cliSim.run.counts.created === users && cliSim.run.counts.errors === 0 && cliSim.usersInStore === 0, `round ${round}: CLI simulate ${JSON.stringify(cliSim.run && { status: cliSim.run.status, counts: cliSim.run.counts, error: cliSim.run.error })}`);
      sayCli('CLI sim', cliSim);
      cli.simulate.push({ ...cliSim, roundFloorMs: nullFloor.ms });
      const cliFirst = await runCliPhase('sync', cliStore, slapd, timeline);
      check(cliFirst.code === 0 && cliFirst.run?.status === 'applied' && cliFirst.run.counts.created === users && cliFirst.run.counts.errors === 0 && cliFirst.usersInStore === users, `round ${round}: CLI sync ${JSON.stringify(cliFirst.run && { status: cliFirst.run.status, counts: cliFirst.run.counts, error: cliFirst.run.error })}`);
      sayCli('CLI sync', cliFirst);
      cli.sync.push({ ...cliFirst, roundFloorMs: nullFloor.ms });
      if (cliOnly) {
        const changedCli = await changeOnePercent(slapd, users, state);
        const cliAgain = await runCliPhase('sync', cliStore, slapd, timeline);
        const cc = cliAgain.run?.counts;
        check(cliAgain.code === 0 && cliAgain.run?.status === 'applied' && cc?.moved === changedCli.moves && cc.rolesChanged === changedCli.roles && cc.created === 0 && cc.deactivated === 0 && cc.errors === 0, `round ${round}: CLI re-sync ${JSON.stringify(cliAgain.run && { status: cliAgain.run.status, counts: cliAgain.run.counts, error: cliAgain.run.error })}`);
        sayCli('CLI resync', cliAgain);
        cli.resync.push({ ...cliAgain, roundFloorMs: nullFloor.ms });
        continue;
      }
      const sim = await runChild(input('simulate'), profDir, `round${round}-2-simulate`);
      const simOk = sim.run?.status === 'simulated' && sim.run.entries === users && sim.run.counts.created === users && sim.run.counts.errors === 0 && sim.usersInStore === 0;
      check(simOk, `round ${round}: simulate ${JSON.stringify(sim.run && { status: sim.run.status, entries: sim.run.entries, counts: sim.run.counts, error: sim.run.error })}, users ${sim.usersInStore}`);
      say('simulate', sim.ms, describe(sim));
      blocks(sim);
      rows.simulate.push(sim);

      const first = await runChild(input('sync'), profDir, `round${round}-3-sync`);
      const firstOk = first.run?.status === 'applied' && first.run.entries === users && first.run.counts.created === users && first.run.counts.errors === 0 && first.usersInStore === users;
      check(firstOk, `round ${round}: sync ${JSON.stringify(first.run && { status: first.run.status, entries: first.run.entries, counts: first.run.counts, error: first.run.error })}, users ${first.usersInStore}`);
      say('sync', first.ms, describe(first));
      blocks(first);
      rows.sync.push(first);

      const changed = await changeOnePercent(slapd, users, state);
      console.log(`  run ${round}  (ldapmodify of ${changed.moves + changed.roles} entries: ${changed.moves} departments, ${changed.roles} employee types, ${fmtMs(changed.ms)} ms)`);
      const cliAgain = await runCliPhase('sync', cliStore, slapd, timeline);
      const cc = cliAgain.run?.counts;
      check(cliAgain.code === 0 && cliAgain.run?.status === 'applied' && cc?.moved === changed.moves && cc.rolesChanged === changed.roles && cc.created === 0 && cc.deactivated === 0 && cc.errors === 0, `round ${round}: CLI re-sync ${JSON.stringify(cliAgain.run && { status: cliAgain.run.status, counts: cliAgain.run.counts, error: cliAgain.run.error })}`);
      sayCli('CLI resync', cliAgain);
      cli.resync.push({ ...cliAgain, roundFloorMs: nullFloor.ms });
      const again = await runChild(input('sync'), profDir, `round${round}-4-resync`);
      const c = again.run?.counts;
      const againOk =
        again.run?.status === 'applied' && again.run.entries === users && c?.moved === changed.moves && c.rolesChanged === changed.roles
        && c.created === 0 && c.deactivated === 0 && c.reactivated === 0 && c.updated === 0 && c.errors === 0 && again.usersInStore === users;
      check(againOk, `round ${round}: re-sync ${JSON.stringify(again.run && { status: again.run.status, entries: again.run.entries, counts: again.run.counts, error: again.run.error })}, expected moved ${changed.moves}, rolesChanged ${changed.roles}`);
      say('resync', again.ms, describe(again));
      blocks(again);
      rows.resync.push(again);
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await slapd?.stop();
    // Stores are removed; CPU profiles are kept for DevTools.
    if (!profDir) rmSync(work, { recursive: true, force: true });
  }

  const floor = median(rows.floor);
  const nullFloor = median(rows.nullFloor);
  console.log('');
  console.log(`median of ${runs} run${runs === 1 ? '' : 's'} (${users.toLocaleString('en-US')} entries; each of our phases in a fresh process; target: <= ${TARGET_RATIO}x the floor and peak RSS < ${TARGET_RSS_MB} MB):`);
  const verdict = (ms: number, rss: number, base: number) => {
    const slow = ms > base * TARGET_RATIO;
    const big = rss >= TARGET_RSS_MB * MB;
    return !slow && !big ? 'PASS' : `MISS (${[slow ? 'time' : '', big ? 'RSS' : ''].filter(Boolean).join(' + ')})`;
  };
  const line = (label: string, rs: PhaseResult[], target: boolean) => {
    const ms = median(rs.map((r) => r.ms));
    const rss = Math.max(...rs.map((r) => r.maxRss));
    return [
      label, fmtMs(ms), `${(ms / floor).toFixed(2)}x`, `${(ms / nullFloor).toFixed(2)}x`, fmtMb(rss), perSec(users, ms), `${median(rs.map((r) => r.engineMs)).toFixed(0)} ms`,
      target ? verdict(ms, rss, floor) : '', target ? verdict(ms, rss, nullFloor) : '',
      `${Math.max(...rs.map((r) => r.loopMaxMs)).toFixed(0)} / ${median(rs.map((r) => r.loopP99Ms)).toFixed(0)} ms (cpu ${Math.max(...rs.map((r) => r.loopMaxCpuMs ?? NaN)).toFixed(0)})`,
    ];
  };
  console.log(table(
    ['phase', 'ms', 'vs floor', 'vs /dev/null floor', 'peak RSS', 'entries/s', 'engine load', 'target', 'target vs /dev/null', 'event loop max / p99 (longest block cpu)'],
    [
      ['floor (ldapsearch, drained)', fmtMs(floor), '1.00x', `${(floor / nullFloor).toFixed(2)}x`, 'n/a', perSec(users, floor), '', '', '', ''],
      ['floor (ldapsearch > /dev/null)', fmtMs(nullFloor), `${(nullFloor / floor).toFixed(2)}x`, '1.00x', 'n/a', perSec(users, nullFloor), '', '', '', ''],
      ...[
        line('read only (read worker)', rows.read, false),
        line('read only (calling thread)', rows.readThread, false),
        line('simulate', rows.simulate, true),
        line('sync (create all)', rows.sync, true),
        line('re-sync (1% changed)', rows.resync, true),
      ].filter((r) => r[1] !== 'n/a'),
    ],
  ));
  // The issue's targets: the built CLI's wall time (process start included) against the /dev/null floor.
  const cliLine = (label: string, rs: CliResult[], ratio: number) => {
    const ms = median(rs.map((r) => r.ms));
    const rss = Math.max(...rs.map((r) => r.maxRss));
    const slow = ms > nullFloor * ratio;
    const big = !(rss < TARGET_RSS_MB * MB);
    const cpu = medianCpu(rs.map((r) => r.cpu));
    const perRound = median(rs.map((r) => r.ms / (r.roundFloorMs ?? NaN)));
    return [label, fmtMs(ms), `${(ms / nullFloor).toFixed(2)}x`, `${perRound.toFixed(2)}x`, `<= ${ratio}x, < ${TARGET_RSS_MB} MB`, fmtMb(rss), perSec(users, ms), fmtCpu(cpu), fmtCores(cpu, ms), !slow && !big ? 'PASS' : `MISS (${[slow ? 'time' : '', big ? 'RSS' : ''].filter(Boolean).join(' + ')})`];
  };
  const floorCpu = medianCpu(rows.nullFloorCpu);
  console.log('');
  console.log(`the built CLI, wall time from spawn to exit (node bin/ldap-sync.mjs simulate|sync Bench --db STORE), median of ${runs}:`);
  console.log(table(
    ['command', 'ms', 'vs /dev/null floor', 'per round', 'target', 'peak RSS', 'entries/s', 'CPU ms (own + slapd)', 'cores busy', 'verdict'],
    [
      ['floor (ldapsearch > /dev/null)', fmtMs(nullFloor), '1.00x', '1.00x', '', 'n/a', perSec(users, nullFloor), fmtCpu(floorCpu), fmtCores(floorCpu, nullFloor), ''],
      cliLine('ldap-sync simulate', cli.simulate, 1.5),
      cliLine('ldap-sync sync (creates all)', cli.sync, 2),
      cliLine('ldap-sync sync (1% changed)', cli.resync, 1.5),
    ],
  ));
  console.log(`(floor output: ${(floorBytes / MB).toFixed(1)} MB of LDIF; in the first table "ms" is the run itself, store open, process start and script engine load excluded; the second table times the whole command)`);
  console.log('(per round: the median of each round\'s ratio to the floor measured just before it; the verdict uses the ratio of the medians, as the targets are stated)');
  console.log('(CPU: the command\'s own, all threads, from GNU time; slapd\'s meanwhile, from /proc; cores busy: both over the wall time, medians: a run that keeps every core busy is bound by CPU, not by waiting)');
  if (timeline) {
    // When each phase of the CLI's run began (its first --progress line), ms from spawn, medians.
    const at = (rs: CliResult[], p: TimelinePoint) => {
      const xs = rs.map((r) => r.timeline[p]).filter((x): x is number => x !== undefined);
      return xs.length ? fmtMs(median(xs)) : '';
    };
    const timelineLine = (label: string, rs: CliResult[]) => [label, ...TIMELINE_POINTS.map((p) => at(rs, p)), fmtMs(median(rs.map((r) => r.ms)))];
    console.log('');
    console.log(`timeline of the CLI runs (--progress: ms from spawn to the first line of each phase, to the report on stdout, to the exit), median of ${runs}:`);
    console.log(table(
      ['command', 'connecting', 'reading (connected)', 'planning (read done)', 'applying', 'done', 'report', 'exit'],
      [timelineLine('ldap-sync simulate', cli.simulate), timelineLine('ldap-sync sync (creates all)', cli.sync), timelineLine('ldap-sync sync (1% changed)', cli.resync)],
    ));
  }

  if (profDir && existsSync(profDir)) {
    // One folder per phase; the main thread's profile is the one with thread id 0 (CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile).
    const files: { label: string; file: string }[] = [];
    for (const label of readdirSync(profDir).sort()) {
      const main = readdirSync(path.join(profDir, label)).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
      if (main) files.push({ label, file: path.join(profDir, label, main) });
    }
    for (const { label, file } of files) {
      const s = summarizeProfile(file, windows.get(label) ?? [0, Number.MAX_SAFE_INTEGER]);
      console.log('');
      console.log(`CPU profile ${label} (main thread during the timed run, ${fmtMs(s.totalMs)} ms sampled; self time by bucket, unnamed frames go to their caller's bucket):`);
      console.log(table(['bucket', 'ms', '%'], s.buckets.map(([b, ms]) => [b, fmtMs(ms), `${((ms / s.totalMs) * 100).toFixed(1)}%`])));
      console.log('top self time:');
      for (const [fn, ms] of s.top) console.log(`  ${fmtMs(ms).padStart(6)} ms  ${fn}`);
    }
    console.log(`\nprofiles kept in ${profDir} (open in Chrome DevTools > Performance)`);
  }

  console.log('');
  if (problems.length) {
    for (const p of problems) console.log(`WRONG: ${p}`);
    console.log(`FAIL: ${problems.length} wrong result(s)`);
    return 1;
  }
  console.log(`OK: every phase returned ${users} entries with the expected plan`);
  return 0;
}

runBench(main);
