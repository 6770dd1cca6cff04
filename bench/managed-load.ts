/**
 * Benchmark: loading the users a sync run plans against, as SyncService.plannerFor does it
 * (loadManagedUsersInTurns + otherUsersInTurns, a turn of the event loop between pages), on a real
 * store made through the app's own repos: a server, 10 organizations it authenticates, N users
 * shaped like bench:sync's (ordered ids, the Desktop User role, Org Admin too for every 10th), and
 * optionally O users of another server's organization. Compares the current load with the one
 * before this bench (bench/managed-load-legacy.ts) in the same run.
 *
 *   npm run bench:managed-load -- [--users 100000] [--others 0] [--runs 5]
 *
 * Each load runs in a fresh node process (cold code, as a CLI run pays it), the two loads
 * alternating. Per load: CPU of the process (process.cpuUsage: all threads, GC helpers included)
 * and of the main thread alone (/proc, 10 ms resolution), wall time, the longest stretch without a
 * turn of the event loop, turns given, and heap used once loaded (after a full GC). The parent
 * checks that both loads give the same users, in the same order, with the same fields (a hash of
 * every column and of the other users' map). Prints figures, medians over the runs; no thresholds.
 *
 * Internal: `--child` runs one load; its input comes in BENCH_MANAGED_INPUT (JSON) and its result
 * goes to stdout as one `BENCH_MANAGED_RESULT {json}` line.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseIntArgs } from './args';
import { legacyManagedUsersInTurns, legacyOtherUsersInTurns } from './managed-load-legacy';
import { collector, machineLine, MB, median, runBench, runTsxChild, table } from './runtime';
import { openStore } from '../src-main/store/db';
import type { ManagedUsers } from '../src-main/store/managed-users';
import { orderedUuid } from '../src-main/store/ordered-id';
import { insertOrganization } from '../src-main/store/organizations-repo';
import { listRoles } from '../src-main/store/roles-repo';
import { insertServer, type ServerRow } from '../src-main/store/servers-repo';
import { insertUser, loadManagedUsersInTurns, otherUsersInTurns } from '../src-main/store/users-repo';
import { userAttributes, userDn } from '../test/rig/directory-data';
import { serverRow } from '../test/unit/server-row';

const USAGE = 'usage: npm run bench:managed-load -- [--users N (default 100000)] [--others O (default 0)] [--runs R (default 5)]';
const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');
const SERVER_ID = 'bench-server';
const IMPLS = ['legacy', 'current'] as const;
type Impl = (typeof IMPLS)[number];

interface ChildInput {
  impl: Impl;
  file: string;
}

interface ChildResult {
  cpuMs: number;
  mainCpuMs: number | null;
  wallMs: number;
  maxBlockMs: number;
  turns: number;
  heapBytes: number;
  managed: number;
  others: number;
  hash: string;
}

/** The bench's server row: the store tests' row (test/unit/server-row.ts), creating users, its password from BENCH_PW. */
function benchServer(id: string, name: string): ServerRow {
  return serverRow({ id, name, url: 'ldap://127.0.0.1:389/dc=example,dc=com', createUsers: true, passwordRef: { kind: 'env', name: 'BENCH_PW' } });
}

/** The store a re-sync of bench:sync's directory would find (plus `others` users of another server). */
function prepareStore(file: string, users: number, others: number): void {
  const store = openStore(file);
  try {
    const db = store.db;
    insertServer(db, benchServer(SERVER_ID, 'Bench'));
    insertServer(db, benchServer('bench-other', 'Other'));
    const orgs = Array.from({ length: 10 }, (_, d) => insertOrganization(db, { name: `Dept D${100 + d}`, authServerId: SERVER_ID }).id);
    const otherOrg = insertOrganization(db, { name: 'Elsewhere', authServerId: 'bench-other' }).id;
    const roles = listRoles(db);
    const desktop = roles.find((r) => r.name === 'Desktop User')!.id;
    const admin = roles.find((r) => r.name === 'Org Admin')!.id;
    const seenAt = new Date().toISOString();
    db.transaction(() => {
      for (let i = 1; i <= users + others; i++) {
        const a = userAttributes(i);
        const mine = i <= users;
        insertUser(db, {
          id: orderedUuid(),
          username: a.uid,
          email: a.mail,
          firstName: a.givenName,
          lastName: a.sn,
          orgId: mine ? orgs[Number(a.departmentNumber.slice(1)) - 100] : otherOrg,
          roleIds: i % 10 === 0 ? [desktop, admin] : [desktop],
          sourceServerId: mine ? SERVER_ID : 'bench-other',
          sourceDn: userDn(i),
          directoryId: `entryUUID:${orderedUuid()}`,
          seenAt,
        });
      }
    })();
  } finally {
    store.close();
  }
}

/** CPU time the main thread has used, ms (10 ms resolution); null off Linux. */
function mainThreadCpuMs(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** A hash of every column of `users` and of `others`, to compare two loads. */
function fingerprint(users: ManagedUsers, others: Map<string, { id: string; orgName: string }>): string {
  const h = createHash('sha256');
  for (let i = 0; i < users.length; i++) h.update(JSON.stringify(users.at(i)));
  for (const [k, v] of [...others].sort((a, b) => (a[0] < b[0] ? -1 : 1))) h.update(`${k}\x00${v.id}\x00${v.orgName}\x00`);
  return h.digest('hex');
}

async function child(): Promise<number> {
  const input = JSON.parse(process.env.BENCH_MANAGED_INPUT ?? 'null') as ChildInput | null;
  if (!input) throw new Error('--child is internal: BENCH_MANAGED_INPUT is missing');
  const gc = collector();
  const store = openStore(input.file);
  try {
    const db = store.db;
    const [managedLoad, othersLoad] = input.impl === 'legacy' ? [legacyManagedUsersInTurns, legacyOtherUsersInTurns] : [loadManagedUsersInTurns, otherUsersInTurns];
    gc();
    let turns = 0;
    let maxBlock = 0;
    let since = performance.now();
    const breathe = async () => {
      maxBlock = Math.max(maxBlock, performance.now() - since);
      turns++;
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    };
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpuMs();
    const t0 = performance.now();
    const users = await managedLoad(db, SERVER_ID, breathe);
    const others = await othersLoad(db, SERVER_ID, breathe);
    const wallMs = performance.now() - t0;
    maxBlock = Math.max(maxBlock, performance.now() - since);
    const main1 = mainThreadCpuMs();
    const cpu = process.cpuUsage(cpu0);
    gc();
    const heapBytes = process.memoryUsage().heapUsed;
    const result: ChildResult = {
      cpuMs: (cpu.user + cpu.system) / 1000,
      mainCpuMs: main0 === null || main1 === null ? null : main1 - main0,
      wallMs,
      maxBlockMs: maxBlock,
      turns,
      heapBytes,
      managed: users.length,
      others: others.size,
      hash: fingerprint(users, others),
    };
    process.stdout.write(`BENCH_MANAGED_RESULT ${JSON.stringify(result)}\n`);
  } finally {
    store.close();
  }
  return 0;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child();
  const { users, others, runs } = parseIntArgs(argv, { users: 100_000, others: 0, runs: 5 }, USAGE);
  console.log(machineLine());
  console.log(`command: npm run bench:managed-load -- --users ${users} --others ${others} --runs ${runs}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-managed-'));
  try {
    const file = path.join(dir, 'store.sqlite');
    const t0 = performance.now();
    prepareStore(file, users, others);
    console.log(`store: ${users} managed users + ${others} of another server, made in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const results: Record<Impl, ChildResult[]> = { legacy: [], current: [] };
    for (let r = 0; r < runs; r++) {
      for (const impl of r % 2 ? [...IMPLS].reverse() : IMPLS) {
        const res = await runTsxChild<ChildResult>({ script: SELF, args: ['--child'], cwd: ROOT, inputVar: 'BENCH_MANAGED_INPUT', input: { impl, file }, marker: 'BENCH_MANAGED_RESULT' });
        if (res.managed !== users || res.others !== others) throw new Error(`${impl}: ${res.managed} managed and ${res.others} other users, expected ${users} and ${others}`);
        results[impl].push(res);
        console.log(`round ${r + 1} ${impl.padEnd(7)}: cpu ${res.cpuMs.toFixed(0)} ms (main thread ${res.mainCpuMs ?? '?'} ms), wall ${res.wallMs.toFixed(0)} ms, longest block ${res.maxBlockMs.toFixed(1)} ms`);
      }
    }
    const hashes = new Set([...results.legacy, ...results.current].map((r) => r.hash));
    if (hashes.size !== 1) throw new Error('the loads differ: the current load does not give the same users as the legacy one');
    const ms = (xs: (number | null)[]) => (xs.some((x) => x === null) ? '?' : median(xs as number[]).toFixed(0));
    const rows = IMPLS.map((impl) => {
      const rs = results[impl];
      return [
        impl,
        ms(rs.map((r) => r.cpuMs)),
        ms(rs.map((r) => r.mainCpuMs)),
        ms(rs.map((r) => r.wallMs)),
        median(rs.map((r) => r.maxBlockMs)).toFixed(1),
        String(median(rs.map((r) => r.turns))),
        `${(median(rs.map((r) => r.heapBytes)) / MB).toFixed(1)} MB`,
      ];
    });
    console.log(`\nmedians of ${runs} runs (each load in a fresh process; both loads gave the same users, order and fields):`);
    console.log(table(['load', 'CPU ms', 'main-thread CPU ms', 'wall ms', 'longest block ms', 'turns', 'heap once loaded'], rows));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

runBench(main);
