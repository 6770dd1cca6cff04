/**
 * Benchmark: the fixed cost of a run of the built CLI (process start, bundle load, store open,
 * worker threads, QuickJS, exit), measured on a directory so small (10 users) that the run itself
 * is negligible, against a bare `node -e 0` in the same rounds.
 *
 *   npm run bench:run-start -- [--runs 25] [--base OTHER/bin/ldap-sync.mjs]
 *
 * `--base` adds the same simulate and sync rows for another build of the CLI (e.g. a checkout of
 * an older commit, built, with the same store schema), in the same rounds: a before/after on a
 * shared machine.
 * Each round runs every command below once, in turn (a busy moment hits all of them alike), after
 * one warm-up round. Each child is timed by a tiny wait4() wrapper (/usr/bin/python3), which gives
 * its wall time and its user + system CPU over all its threads, to the microsecond. The table gives
 * medians over `--runs` rounds, and the extra over `node -e 0`.
 * The CLI runs from the bundle in dist/cli (`npm run build:cli`); every simulate is checked (exit 0,
 * 10 entries, no errors in its JSON).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIntArgs } from './args';
import { machineLine, median, noKeychain, runBench, table } from './runtime';
import { createAppContext } from '../src-main/app-context';
import { emptyServerDraft } from '../src-shared/domain/server-defaults';
import { startSlapd, type Slapd } from '../test/rig/slapd';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'ldap-sync.mjs');
const USERS = 10;

/** Runs argv[1:] and prints `wall_us user_us sys_us status` on fd 3 (its own stdout/stderr pass through). */
const TIMER = `
import os, sys, time
t = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t
os.write(3, ("%d %d %d %d" % (wall * 1e6, ru.ru_utime * 1e6, ru.ru_stime * 1e6, os.waitstatus_to_exitcode(status))).encode())
`;

interface Case {
  label: string;
  command: string[];
  /** Checks a finished run's stdout; returns an error text or null. */
  check?: (stdout: string) => string | null;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
  userMs: number;
  sysMs: number;
}

/** Runs `c` once under the wait4 wrapper; throws on a failure. */
function timeOnce(c: Case, env: NodeJS.ProcessEnv): Sample {
  const r = spawnSync('/usr/bin/python3', ['-c', TIMER, ...c.command], { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const out = (r.output[3] ?? '').toString().trim().split(' ').map(Number);
  if (r.status !== 0 || out.length !== 4) throw new Error(`timer failed for "${c.label}": ${r.stderr}`);
  const [wall, user, sys, status] = out;
  if (status !== 0) throw new Error(`"${c.label}" exited ${status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  const problem = c.check?.(r.stdout);
  if (problem) throw new Error(`"${c.label}": ${problem}`);
  return { wallMs: wall / 1000, userMs: user / 1000, sysMs: sys / 1000, cpuMs: (user + sys) / 1000 };
}

/** A fresh store with the server "Bench" (three scripts, creates users) reading `slapd`. */
async function prepareStore(slapd: Slapd, dir: string): Promise<string> {
  const dbPath = path.join(dir, 'store.sqlite');
  const app = createAppContext({ dbPath, keychain: noKeychain, env: { BENCH_PW: slapd.syncPw } });
  try {
    const draft = {
      ...emptyServerDraft(),
      name: 'Bench',
      url: `${slapd.url}/${slapd.baseDn}`,
      bindDn: slapd.syncDn,
      scripts: {
        active: "function(entry) { return entry.employeeType !== 'terminated'; }",
        orgName: "function(entry) { return 'Dept ' + entry.departmentNumber; }",
        roleName: "function(entry) { return entry.employeeType === 'admin' ? ['Desktop User', 'Org Admin'] : ['Desktop User']; }",
      },
      createUsers: true,
    };
    const server = await app.servers.create(draft, { kind: 'env', name: 'BENCH_PW' });
    for (let d = 100; d < 110; d++) app.directory.createOrg({ name: `Dept D${d}`, parentId: null, authServerId: server.id });
    return dbPath;
  } finally {
    app.close();
  }
}

/** A simulate's JSON must report every entry and no error. */
function checkRun(stdout: string): string | null {
  try {
    const run = JSON.parse(stdout) as { entries?: number; counts?: { errors?: number }; error?: unknown };
    if (run.entries !== USERS || run.counts?.errors !== 0 || run.error) return `unexpected run ${stdout.slice(0, 300)}`;
    return null;
  } catch {
    return `no JSON on stdout: ${stdout.slice(0, 200)}`;
  }
}

runBench(async () => {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--base');
  const baseBin = at >= 0 ? path.resolve(argv.splice(at, 2)[1] ?? '') : null;
  if (baseBin !== null && !existsSync(baseBin)) throw new Error(`--base ${baseBin}: no such file`);
  const { runs } = parseIntArgs(argv, { runs: 25 }, 'usage: npm run bench:run-start -- [--runs N (default 25)] [--base OTHER/bin/ldap-sync.mjs]');
  const built = path.join(ROOT, 'dist', 'cli', 'BUILT');
  if (!existsSync(built)) throw new Error('dist/cli is not built: run npm run build:cli first');
  console.log(machineLine());
  console.log(`bundle: dist/cli built ${readFileSync(built, 'utf8').trim()}; ${USERS} users; ${runs} rounds after 1 warm-up\n`);

  const slapd = await startSlapd({ users: USERS, logOps: false });
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-run-start-'));
  try {
    const db = await prepareStore(slapd, work);
    const env = { ...process.env, BENCH_PW: slapd.syncPw, LDAP_SYNC_DB: db };
    const cases: Case[] = [
      { label: 'node -e 0', command: [process.execPath, '-e', '0'] },
      { label: 'ldap-sync --version', command: [process.execPath, BIN, '--version'] },
      { label: 'ldap-sync simulate Bench --json', command: [process.execPath, BIN, 'simulate', 'Bench', '--db', db, '--json'], check: checkRun },
      // Nothing changes after the first round: an apply with no writes (the apply worker starts).
      { label: 'ldap-sync sync Bench --json', command: [process.execPath, BIN, 'sync', 'Bench', '--db', db, '--json'], check: checkRun },
      ...(baseBin === null
        ? []
        : [
            { label: 'base: ldap-sync --version', command: [process.execPath, baseBin, '--version'] },
            { label: 'base: simulate Bench --json', command: [process.execPath, baseBin, 'simulate', 'Bench', '--db', db, '--json'], check: checkRun },
            { label: 'base: sync Bench --json', command: [process.execPath, baseBin, 'sync', 'Bench', '--db', db, '--json'], check: checkRun },
          ]),
    ];
    const samples = new Map<Case, Sample[]>(cases.map((c) => [c, []]));
    for (let round = 0; round <= runs; round++) {
      for (const c of cases) {
        const s = timeOnce(c, env);
        if (round > 0) samples.get(c)!.push(s);
      }
    }
    const base = samples.get(cases[0])!;
    const baseWall = median(base.map((s) => s.wallMs));
    const baseCpu = median(base.map((s) => s.cpuMs));
    const rows = cases.map((c) => {
      const xs = samples.get(c)!;
      const wall = median(xs.map((s) => s.wallMs));
      const cpu = median(xs.map((s) => s.cpuMs));
      return [
        c.label,
        wall.toFixed(1),
        cpu.toFixed(1),
        median(xs.map((s) => s.userMs)).toFixed(1),
        median(xs.map((s) => s.sysMs)).toFixed(1),
        c === cases[0] ? '' : `+${(wall - baseWall).toFixed(1)}`,
        c === cases[0] ? '' : `+${(cpu - baseCpu).toFixed(1)}`,
      ];
    });
    console.log(table(['command', 'wall ms', 'cpu ms', 'user ms', 'sys ms', 'wall - node', 'cpu - node'], rows));
    console.log(`\nmedians of ${runs}; cpu = user + system over all threads of the process (wait4)`);
  } finally {
    await slapd.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
