/**
 * Benchmark: how long `ldap-sync` takes to start, against a bare `node -e 0` in the same run.
 *
 *   npm run bench:cli-start -- [--runs 21]
 *
 * Each round runs every command below once, in turn (so a busy moment hits all of them alike),
 * after one warm-up round; the table gives the median wall time of each over `--runs` rounds
 * and its ratio to `node -e 0`. The target (issue 10) is `--version` within about 2x.
 * The CLI runs from the bundle in dist/cli (`npm run build:cli`); the last row is the old way,
 * the TypeScript sources through tsx, for comparison.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseIntArgs } from './args';
import { machineLine, median, runBench, table } from './runtime';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'ldap-sync.mjs');

interface Case {
  label: string;
  command: string[];
}

const CASES: Case[] = [
  { label: 'node -e 0', command: [process.execPath, '-e', '0'] },
  { label: 'node bin/ldap-sync.mjs --version', command: [process.execPath, BIN, '--version'] },
  { label: 'node bin/ldap-sync.mjs --help', command: [process.execPath, BIN, '--help'] },
  // npm's own start-up, for comparison with the npx rows: most of their time is npx itself.
  { label: 'npx node -e 0', command: ['npx', '--no-install', 'node', '-e', '0'] },
  { label: 'npx ldap-sync --version', command: ['npx', '--no-install', 'ldap-sync', '--version'] },
  { label: 'npx ldap-sync --help', command: ['npx', '--no-install', 'ldap-sync', '--help'] },
  { label: 'sources via tsx --version (the old bin)', command: [process.execPath, '--import', 'tsx', join(ROOT, 'src-main', 'cli', 'main.ts'), '--version'] },
];

/** Runs `command` once from the package folder; returns its wall time in ms, or throws on a failure. */
function timeOnce(c: Case): number {
  const started = performance.now();
  const r = spawnSync(c.command[0], c.command.slice(1), { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LDAP_SYNC_DB: join(ROOT, '.tmp', 'bench-cli-start.sqlite') } });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`"${c.label}" exited ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  return ms;
}

runBench(async () => {
  const { runs } = parseIntArgs(process.argv.slice(2), { runs: 21 }, 'usage: npm run bench:cli-start -- [--runs N (default 21)]');
  const built = join(ROOT, 'dist', 'cli', 'BUILT');
  if (!existsSync(built)) throw new Error('dist/cli is not built: run npm run build:cli first');
  console.log(machineLine());
  console.log(`bundle: dist/cli built ${readFileSync(built, 'utf8').trim()}; ${runs} rounds after 1 warm-up\n`);

  const times = new Map<Case, number[]>(CASES.map((c) => [c, []]));
  for (let round = 0; round <= runs; round++) {
    for (const c of CASES) {
      const ms = timeOnce(c);
      if (round > 0) times.get(c)!.push(ms);
    }
  }
  const base = median(times.get(CASES[0])!);
  const rows = CASES.map((c) => {
    const xs = times.get(c)!;
    const m = median(xs);
    return [c.label, m.toFixed(1), Math.min(...xs).toFixed(1), Math.max(...xs).toFixed(1), `${(m / base).toFixed(2)}x`];
  });
  console.log(table(['command', 'median ms', 'min ms', 'max ms', 'vs node -e 0'], rows));
  const version = median(times.get(CASES[1])!) / base;
  console.log(`\nldap-sync --version: ${version.toFixed(2)}x a bare node start (target: about 2x or less)`);
});
