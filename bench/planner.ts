/**
 * Benchmark: the sync planner alone (no directory, no SQLite writes), with entries and script
 * outcomes shaped like `npm run bench:sync` produces them, to see what the planner and the
 * managed-user list cost in CPU and memory. Prints figures, no thresholds.
 *
 *   npm run bench:planner -- [--users 100000] [--engine]
 *
 * Two scenarios, each in a fresh node process (--expose-gc) so peak RSS is per scenario:
 *   - first:  no managed users, createUsers: every entry gives a `create` change;
 *   - resync: N managed users (loaded with loadManagedUsers from a real store made beforehand in
 *             another process), 1% of the entries changed (half a new department: moves, half
 *             employeeType admin: role changes).
 * Entries come in pages of 1000 with strings freshly allocated (as ldapts decodes them), each page
 * dropped after addPage, as the reader does. Outcomes are what the bench's scripts return (Active
 * true, Org "Dept D10x", roles Desktop User [+ Org Admin]); with --engine they come from the real
 * QuickJS engine instead (its time is then outside the planner figures, its garbage is not).
 *
 * Per scenario: CPU (process.cpuUsage: user + system, all threads) and wall time of
 * loadManagedUsers + otherUsers, of all addPage calls, and of plan(); GC time inside those (from
 * perf_hooks 'gc' entries); heap used after a forced full GC before the load, after it, after the
 * last addPage (the entries all held: the peak of live data before planning), after plan() (the
 * plan held, as the apply step holds it, and the managed users too, as SyncService's local holds
 * them) and once the bench's own reference to the managed users is dropped ("w/o users": what is
 * left when only the planner could hold them); RSS before the load and peak RSS of the process.
 *
 * BENCH_PLANNER_HEAP_SNAPSHOTS=DIR writes a V8 heap snapshot at each of those heap points
 * (`<scenario>-<point>.heapsnapshot`, for DevTools > Memory); the snapshots distort the peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import { parseIntArgs } from './args';
import { machineLine, MB, runBench, runTsxChild, table } from './runtime';
import { openStore, type Store } from '../src-main/store/db';
import { listOrganizations, insertOrganization } from '../src-main/store/organizations-repo';
import { listRoles } from '../src-main/store/roles-repo';
import { insertServer } from '../src-main/store/servers-repo';
import { loadManagedUsers, otherUsers } from '../src-main/store/users-repo';
import { nameKey } from '../src-main/store/name-key';
import { orderedUuid } from '../src-main/store/ordered-id';
import { Planner, type Plan, type PlanContext } from '../src-main/sync/planner';
import { ScriptEngine, type EntryInput, type ScriptOutcome } from '../src-main/scripts/engine';
import { normalizeScripts } from '../src-main/services/script-checks';
import { defaultMapping } from '../src-shared/domain/mapping-defaults';
import { userAttributes, userDn } from '../test/rig/directory-data';
import { serverRow } from '../test/unit/server-row';

const USAGE = 'usage: npm run bench:planner -- [--users N (default 100000)] [--engine]';
const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');
const PAGE = 1000;
const SERVER_ID = 'bench-server';
const SCRIPTS = {
  active: "function(entry) { return entry.employeeType !== 'terminated'; }",
  orgName: "function(entry) { return 'Dept ' + entry.departmentNumber; }",
  roleName: "function(entry) { return entry.employeeType === 'admin' ? ['Desktop User', 'Org Admin'] : ['Desktop User']; }",
};

type Scenario = 'first' | 'resync';

interface ChildInput {
  scenario: Scenario;
  dbPath: string;
  users: number;
  engine: boolean;
}

interface Section {
  cpuMs: number;
  wallMs: number;
  gcMs: number;
}

interface ChildResult {
  scenario: Scenario;
  load: Section;
  addPage: Section;
  plan: Section;
  heap: { base: number; loaded: number; added: number; planned: number; released: number };
  rssBefore: number;
  maxRss: number;
  counts: Plan['counts'];
  changes: number;
  seen: number;
  gone: number;
  managed: number;
}

/** A deterministic entryUUID for user i (lower-case, as slapd returns it). */
function entryUuid(i: number): string {
  const h = (n: number, w: number) => (n >>> 0).toString(16).padStart(w, '0').slice(-w);
  return `${h(i, 8)}-${h(i * 7, 4)}-4${h(i * 13, 3)}-8${h(i * 31, 3)}-${h(i * 2654435761, 8)}${h(i, 4)}`;
}

/** A string with its own storage (ldapts decodes every value from the socket's bytes). */
const fresh = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

/** The 1% change of bench:sync: every 100th user; even ones a new department, odd ones employeeType admin. */
function changedAttributes(i: number): Record<string, string> {
  const a = userAttributes(i);
  if (i % 100 !== 1) return a;
  const k = (i - 1) / 100;
  if (k % 2 === 0) a.departmentNumber = `D${100 + (((Number(a.departmentNumber.slice(1)) - 100) + 1) % 10)}`;
  else a.employeeType = 'admin';
  return a;
}

/** One page of entries as the reader gives them (the attributes bench:sync asks for). */
function page(from: number, to: number, changed: boolean): EntryInput[] {
  const out: EntryInput[] = [];
  for (let i = from; i < to; i++) {
    const a = changed ? changedAttributes(i) : userAttributes(i);
    out.push({
      dn: fresh(userDn(i)),
      attributes: {
        uid: [fresh(a.uid)],
        mail: [fresh(a.mail)],
        givenName: [fresh(a.givenName)],
        sn: [fresh(a.sn)],
        departmentNumber: [fresh(a.departmentNumber)],
        employeeType: [fresh(a.employeeType)],
        entryUUID: [fresh(entryUuid(i))],
      },
    });
  }
  return out;
}

/** What the bench's scripts return, with fresh arrays per entry (as the engine made them before sharing empty ones: the worst case for the planner). */
function outcomesOf(entries: EntryInput[]): ScriptOutcome[] {
  return entries.map((e) => {
    const type = e.attributes.employeeType[0];
    return {
      active: type !== 'terminated',
      org: fresh(`Dept ${e.attributes.departmentNumber[0]}`),
      roles: type === 'admin' ? [fresh('Desktop User'), fresh('Org Admin')] : [fresh('Desktop User')],
      errors: [],
      logs: [],
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Store preparation (parent side, so its cost and memory stay out of the scenarios).

function prepareStore(dbPath: string, users: number): void {
  const store = openStore(dbPath);
  try {
    const db = store.db;
    const at = new Date().toISOString();
    insertServer(db, serverRow({ id: SERVER_ID, name: 'Bench', url: 'ldap://127.0.0.1:389/dc=example,dc=com', createUsers: true, passwordRef: { kind: 'env', name: 'BENCH_PW' } }));
    for (let d = 100; d < 110; d++) insertOrganization(db, { name: `Dept D${d}`, authServerId: SERVER_ID });
    if (users === 0) return;
    // The users a first sync of the same entries would have created.
    const orgOf = new Map(listOrganizations(db).map((o) => [o.name, o.id]));
    const desktop = listRoles(db).find((r) => r.name === 'Desktop User')!.id;
    const insert = db.prepare(
      `INSERT INTO users (id, username, username_key, email, first_name, last_name, org_id, active, source_server_id, source_dn,
        directory_id, first_seen_at, last_seen_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const role = db.prepare(`INSERT INTO user_roles (user_id, role_id) VALUES (?, ?)`);
    db.transaction(() => {
      for (let i = 1; i <= users; i++) {
        const a = userAttributes(i);
        const id = orderedUuid();
        insert.run(id, a.uid, nameKey(a.uid), a.mail, a.givenName, a.sn, orgOf.get(`Dept ${a.departmentNumber}`)!, SERVER_ID, userDn(i), `entryUUID:${entryUuid(i)}`, at, at, at, at);
        role.run(id, desktop);
      }
    })();
  } finally {
    store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Child side: one scenario.

/**
 * The planner as SyncService makes it. Made here, not inline: the context object would stay in a
 * register of the caller's frame and keep the managed users alive after the caller drops them.
 */
function benchPlanner(db: Store['db'], managed: PlanContext['managed'], others: PlanContext['others']): Planner {
  return new Planner({
    serverId: SERVER_ID,
    serverName: 'Bench',
    usernameAttribute: 'uid',
    mapping: defaultMapping(),
    hasOrgScript: true,
    hasRoleScript: true,
    createUsers: true,
    defaultOrgId: null,
    orgs: listOrganizations(db),
    roles: listRoles(db),
    managed,
    others,
  });
}

async function child(): Promise<number> {
  const input = JSON.parse(process.env.BENCH_PLANNER_INPUT ?? 'null') as ChildInput | null;
  if (!input) throw new Error('--scenario is internal: BENCH_PLANNER_INPUT is missing');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  let gcMs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  obs.observe({ entryTypes: ['gc'] });
  const flushGc = () => obs.takeRecords().forEach((e) => (gcMs += e.duration));
  const store = openStore(input.dbPath);
  const engine = input.engine ? await ScriptEngine.create() : null;
  const scripts = normalizeScripts(SCRIPTS);
  // GC entries reach the observer from a task of their own: let it run before reading them.
  const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
  const timed = async () => {
    await tick();
    flushGc();
    const gc0 = gcMs;
    const cpu = process.cpuUsage();
    const wall = performance.now();
    return async (): Promise<Section> => {
      const c = process.cpuUsage(cpu);
      const wallMs = performance.now() - wall;
      await tick();
      flushGc();
      return { cpuMs: (c.user + c.system) / 1000, wallMs, gcMs: gcMs - gc0 };
    };
  };
  const snapshots = process.env.BENCH_PLANNER_HEAP_SNAPSHOTS;
  const heapNow = (point: string) => {
    gc();
    gc();
    const used = process.memoryUsage().heapUsed;
    if (snapshots) writeHeapSnapshot(path.join(snapshots, `${input.scenario}-${point}.heapsnapshot`));
    return used;
  };
  try {
    const db = store.db;
    const base = heapNow('base');
    const rssBefore = process.memoryUsage().rss;

    let t = await timed();
    let managed: ReturnType<typeof loadManagedUsers> | null = loadManagedUsers(db, SERVER_ID);
    const others = otherUsers(db, SERVER_ID);
    const load = await t();
    const loaded = heapNow('loaded');

    const planner = benchPlanner(db, managed, others);
    const addPage: Section = { cpuMs: 0, wallMs: 0, gcMs: 0 };
    for (let from = 1; from <= input.users; from += PAGE) {
      const entries = page(from, Math.min(input.users + 1, from + PAGE), input.scenario === 'resync');
      const outcomes = engine ? engine.evaluate(scripts, entries).outcomes : outcomesOf(entries);
      t = await timed();
      planner.addPage(entries, outcomes);
      const s = await t();
      addPage.cpuMs += s.cpuMs;
      addPage.wallMs += s.wallMs;
      addPage.gcMs += s.gcMs;
    }
    const added = heapNow('added');

    t = await timed();
    const plan = planner.plan();
    const planSection = await t();
    // As SyncService holds things today: its `managed` local lives as long as the run.
    const planned = heapNow('planned');
    managed = null;
    const released = heapNow('released');

    const result: ChildResult = {
      scenario: input.scenario,
      load,
      addPage,
      plan: planSection,
      heap: { base, loaded, added, planned, released },
      rssBefore,
      maxRss: process.resourceUsage().maxRSS * 1024,
      counts: plan.counts,
      changes: plan.changes.length,
      seen: plan.seen.length,
      gone: plan.gone.length,
      managed: plan.managedBefore,
    };
    // What the sync service holds until the run ends (kept alive up to here on purpose).
    void [others, planner, plan];
    process.stdout.write(`BENCH_PLANNER_RESULT ${JSON.stringify(result)}\n`);
  } finally {
    engine?.dispose();
    store.close();
    obs.disconnect();
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Parent side.

function runChild(input: ChildInput): Promise<ChildResult> {
  return runTsxChild<ChildResult>({ script: SELF, args: ['--scenario', input.scenario], nodeFlags: ['--expose-gc'], cwd: ROOT, inputVar: 'BENCH_PLANNER_INPUT', input, marker: 'BENCH_PLANNER_RESULT' });
}

const ms = (x: number) => x.toFixed(0);
const mb = (x: number) => (x / MB).toFixed(1);

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--scenario')) return child();
  const engine = argv.includes('--engine');
  const { users } = parseIntArgs(argv.filter((a) => a !== '--engine'), { users: 100_000 }, USAGE);
  console.log(machineLine());
  console.log(`command: npm run bench:planner -- --users ${users}${engine ? ' --engine' : ''}`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'lss-bench-planner-'));
  const results: ChildResult[] = [];
  try {
    const started = performance.now();
    const firstDb = path.join(work, 'first.sqlite');
    const resyncDb = path.join(work, 'resync.sqlite');
    prepareStore(firstDb, 0);
    prepareStore(resyncDb, users);
    console.log(`stores ready in ${ms(performance.now() - started)} ms (${users} managed users for the re-sync)`);
    for (const scenario of ['first', 'resync'] as const) {
      results.push(await runChild({ scenario, dbPath: scenario === 'first' ? firstDb : resyncDb, users, engine }));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log('');
  const sec = (s: Section) => `${ms(s.cpuMs)} / ${ms(s.wallMs)} / ${ms(s.gcMs)}`;
  console.log('time: CPU ms / wall ms / GC ms; heap: MB used after a full GC; RSS: MB');
  console.log(
    table(
      ['scenario', 'load users', 'addPage (all)', 'plan()', 'heap base', '+ users', '+ entries', 'plan held', 'w/o users', 'RSS before', 'peak RSS'],
      results.map((r) => [
        r.scenario,
        sec(r.load),
        sec(r.addPage),
        sec(r.plan),
        mb(r.heap.base),
        mb(r.heap.loaded),
        mb(r.heap.added),
        mb(r.heap.planned),
        mb(r.heap.released),
        mb(r.rssBefore),
        mb(r.maxRss),
      ]),
    ),
  );
  for (const r of results) {
    const planner = r.addPage.cpuMs + r.plan.cpuMs;
    console.log(`${r.scenario}: planner CPU ${ms(planner)} ms (+ load ${ms(r.load.cpuMs)} ms); ${r.changes} changes, ${r.seen} seen, ${r.gone} gone, ${r.managed} managed; counts ${JSON.stringify(r.counts)}`);
  }
  return 0;
}

runBench(main);
